"""meshgen.model.models: a field's pickled form (what a product record holds) gives the same field back."""

from __future__ import annotations

import pickle

from pydantic import BaseModel

from meshgen.model.models import SchemaField


def _field() -> SchemaField:
    return SchemaField.model_validate({"name": "tags", "type": "array", "description": "x", "items": {"type": "struct",
        "fields": [{"name": "code", "type": "string", "maxLength": 3, "pii": True}]}})


def test_a_field_pickles_as_its_values_and_comes_back_the_same():
    field = _field()
    back = pickle.loads(pickle.dumps(field, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == field
    assert back.model_fields_set == field.model_fields_set == {"name", "type", "description", "items"}
    assert back.model_dump(exclude_unset=True) == field.model_dump(exclude_unset=True)
    assert back.data_type == field.data_type and back.items.fields[0].data_type == field.items.fields[0].data_type
    # smaller than pydantic's own form, which names every value
    assert len(pickle.dumps(field)) < len(pickle.dumps(BaseModel.__getstate__(field)))


def test_pydantics_own_pickled_form_still_reads():
    field = _field()
    back = SchemaField.__new__(SchemaField)
    back.__setstate__(BaseModel.__getstate__(field))
    assert back == field and back.model_fields_set == field.model_fields_set
