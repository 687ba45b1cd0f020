// Checks catalog-info.yaml files the way Backstage's catalog reads them: parsed with `yaml` (the
// parser the catalog uses), each entity through the catalog's default entity policies (namespace,
// no foreign root fields, field formats, schema) and the validator of its kind; every entity
// reference parsed (the caller resolves them within each catalog); every `$text` placeholder and
// Location target found on disk relative to its file.
//
//   node validate_entities.cjs NODE_MODULES FILE... → JSON on stdout:
//   {"files": {FILE: {"entities": [...], "errors": [...], "defines": [ref], "refers": [ref]}}}
"use strict";

const fs = require("fs");
const path = require("path");
const [modulesArg, ...files] = process.argv.slice(2);
const modules = path.resolve(modulesArg);
const yaml = require(path.join(modules, "yaml"));
const model = require(path.join(modules, "@backstage/catalog-model"));

const policies = model.EntityPolicies.allOf([
  new model.DefaultNamespaceEntityPolicy(),
  new model.NoForeignRootFieldsEntityPolicy(),
  new model.FieldFormatEntityPolicy(),
  new model.SchemaValidEntityPolicy(),
]);
const kindValidators = [
  model.apiEntityV1alpha1Validator, model.componentEntityV1alpha1Validator, model.domainEntityV1alpha1Validator,
  model.groupEntityV1alpha1Validator, model.locationEntityV1alpha1Validator, model.resourceEntityV1alpha1Validator,
  model.systemEntityV1alpha1Validator, model.userEntityV1alpha1Validator,
];
// spec fields that hold entity references (the relations the catalog's processors emit)
const REF_FIELDS = ["owner", "system", "domain", "parent", "subcomponentOf"];
const REF_LIST_FIELDS = ["dependsOn", "dependencyOf", "providesApis", "consumesApis", "children", "members"];

async function checkEntity(entity) {
  const errors = [];
  try {
    await policies.enforce(structuredClone(entity));
  } catch (e) {
    errors.push(`policy: ${e.message}`);
  }
  let accepted = 0;
  for (const validator of kindValidators) {
    try {
      if (await validator.check(entity)) accepted += 1;
    } catch (e) {
      errors.push(`kind ${entity && entity.kind}: ${e.message}`);
      accepted += 1;
    }
  }
  if (accepted === 0) errors.push(`no kind validator accepts ${entity && entity.apiVersion} ${entity && entity.kind}`);
  return errors;
}

function references(entity) {
  const spec = (entity && entity.spec) || {};
  const refs = [];
  for (const key of REF_FIELDS) if (typeof spec[key] === "string") refs.push(spec[key]);
  for (const key of REF_LIST_FIELDS) if (Array.isArray(spec[key])) refs.push(...spec[key]);
  const annotations = (entity && entity.metadata && entity.metadata.annotations) || {};
  if (annotations["backstage.io/techdocs-entity"]) refs.push(annotations["backstage.io/techdocs-entity"]);
  return refs;
}

// The catalog resolves `{$text: path}` (relative to the file) before it validates: do the same.
function resolvePlaceholders(value, dir, errors) {
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, dir, errors));
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "$text") {
    const target = path.resolve(dir, value.$text);
    if (!fs.existsSync(target)) {
      errors.push(`$text ${value.$text} (relative to the file) does not exist`);
      return value;
    }
    return fs.readFileSync(target, "utf8");
  }
  return Object.fromEntries(keys.map((k) => [k, resolvePlaceholders(value[k], dir, errors)]));
}

function placeholders(entity, file) {
  const errors = [];
  const spec = (entity && entity.spec) || {};
  const targets = entity && entity.kind === "Location" ? [...(spec.targets || []), ...(spec.target ? [spec.target] : [])] : [];
  for (const rel of targets) {
    if (!fs.existsSync(path.resolve(path.dirname(file), rel))) errors.push(`${rel} (relative to the file) does not exist`);
  }
  const techdocs = entity && entity.metadata && entity.metadata.annotations &&
    entity.metadata.annotations["backstage.io/techdocs-ref"];
  if (techdocs !== undefined && !/^dir:./.test(techdocs)) errors.push(`techdocs-ref ${techdocs} is not a dir: reference`);
  return errors;
}

async function main() {
  const out = { files: {} };
  for (const file of files) {
    const result = { entities: [], errors: [], defines: [], refers: [] };
    out.files[file] = result;
    for (const doc of yaml.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
      if (doc.errors.length) {
        result.errors.push(...doc.errors.map((e) => `yaml: ${e.message}`));
        continue;
      }
      const written = doc.toJSON();
      if (written === null) continue;  // an empty document, as the catalog skips it
      result.entities.push(written);
      const entity = resolvePlaceholders(written, path.dirname(file), result.errors);
      result.errors.push(...(await checkEntity(entity)), ...placeholders(entity, file));
      try {
        result.defines.push(model.stringifyEntityRef(entity).toLowerCase());
      } catch (e) {
        result.errors.push(`ref of the entity: ${e.message}`);
      }
      for (const ref of references(entity)) {
        try {
          const parsed = model.parseEntityRef(ref);
          if (!model.KubernetesValidatorFunctions.isValidObjectName(parsed.name)) {
            result.errors.push(`reference ${ref}: not a valid entity name`);
          }
          result.refers.push(model.stringifyEntityRef(parsed).toLowerCase());
        } catch (e) {
          result.errors.push(`reference ${ref}: ${e.message}`);
        }
      }
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e));
  process.exit(1);
});
