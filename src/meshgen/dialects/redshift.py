"""Amazon Redshift: PostgreSQL's grammar with its own types, no CHECK constraints and sort keys."""

from __future__ import annotations

from meshgen.dialects.base import Partitioning, words
from meshgen.dialects.postgres import Postgres
from meshgen.model.types import Kind


class Redshift(Postgres):
    name = "redshift"
    regex_lookaround = False  # POSIX ERE
    age_seconds = "DATEDIFF(second, MAX({column}), GETDATE())"
    # Redshift's documented reserved words.
    RESERVED = words("""
        aes128 aes256 all allowoverwrite analyse analyze and any array as asc authorization az64 backup between
        binary blanksasnull both bytedict bzip2 case cast check collate column constraint create credentials cross
        current_date current_time current_timestamp current_user current_user_id default deferrable deflate defrag
        delta delta32k desc disable distinct do else emptyasnull enable encode encrypt encryption end except
        explicit false for foreign freeze from full globaldict256 globaldict64k grant group gzip having identity
        ignore ilike in initially inner intersect interval into is isnull join language leading left like limit
        localtime localtimestamp lun luns lzo lzop minus mostly16 mostly32 mostly8 natural new not notnull null
        nulls off offline offset oid old on only open or order outer overlaps parallel partition percent
        permissions pivot placing primary raw readratio recover references rejectlog resort respect restore right
        select session_user similar snapshot some sysdate system table tag tdes text255 text32k then timestamp to
        top trailing true truncatecolumns union unique unnest unpivot user using verbose wallet when where with
        without
    """)
    TYPE_MAPPING = {
        **Postgres.TYPE_MAPPING,
        Kind.STRING: "VARCHAR(MAX)", Kind.BYTES: "VARBYTE", Kind.UUID: "CHAR(36)", Kind.JSON: "SUPER",
    }
    TYPE_ALIASES = {**Postgres.TYPE_ALIASES, "VARCHAR": "string", "VARBINARY": "bytes"}
    varchar_bytes = True
    varchar_limit = 65535
    array = None
    fallback = {Kind.ARRAY: "SUPER", Kind.MAP: "SUPER", Kind.STRUCT: "SUPER"}
    string_escape = "backslash_doubled"
    check_constraints = None
    partition_keys_in_unique = False

    def enum_type(self, symbols):
        return f"VARCHAR({max(len(s.encode('utf-8')) for s in symbols)})"

    def partition_clause(self, columns, table):
        # No partitions; a sort key gives the same block pruning on the partition columns.
        return Partitioning([f"SORTKEY ({', '.join(c for c, _ in columns)})"])

    # Redshift has no HMAC and no session secret: the platform supplies the keyed hash as a
    # function (a Lambda UDF holding the key); without it the view cannot be created.
    HASH_SETUP = ()
    HASH_BYTES = "f_meshgen_pii_hash(TO_HEX({column}))"
    HASH_TEXT = "f_meshgen_pii_hash(CAST({column} AS VARCHAR(MAX)))"
    HASH_NESTED = "f_meshgen_pii_hash(JSON_SERIALIZE({column}))"
    json_is_document = True
