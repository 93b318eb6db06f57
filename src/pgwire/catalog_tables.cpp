// The side database's catalog tables and functions, as PostgreSQL 15 names them, and their rows.
#include "pgwire/catalog_tables.h"

#include "common/sql_quote.h"
#include "pgwire/catalog_answerer.h"

namespace lakehouse::pgwire {
namespace {

// Tables whose rows never change. Empty ones are there so the joins psql
// and drivers write find the table; their columns are the ones clients read.
constexpr const char* kFixedTables = R"sql(
CREATE TABLE pg_namespace(oid INTEGER, nspname VARCHAR, nspowner INTEGER, nspacl VARCHAR[]);
INSERT INTO pg_namespace VALUES (11, 'pg_catalog', 10, NULL), (2200, 'public', 10, NULL),
  (13000, 'information_schema', 10, NULL);
CREATE TABLE pg_class(oid INTEGER, relname VARCHAR, relnamespace INTEGER, reltype INTEGER,
  reloftype INTEGER, relowner INTEGER, relam INTEGER, relfilenode INTEGER, reltablespace INTEGER,
  relpages INTEGER, reltuples REAL, relallvisible INTEGER, reltoastrelid INTEGER,
  relhasindex BOOLEAN, relisshared BOOLEAN, relpersistence VARCHAR, relkind VARCHAR,
  relnatts SMALLINT, relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN,
  relhassubclass BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN,
  relispopulated BOOLEAN, relreplident VARCHAR, relispartition BOOLEAN, relrewrite INTEGER,
  relfrozenxid INTEGER, relminmxid INTEGER, relacl VARCHAR[], reloptions VARCHAR[],
  relpartbound VARCHAR);
CREATE TABLE pg_attribute(attrelid INTEGER, attname VARCHAR, atttypid INTEGER,
  attstattarget INTEGER, attlen SMALLINT, attnum SMALLINT, attndims INTEGER, attcacheoff INTEGER,
  atttypmod INTEGER, attbyval BOOLEAN, attalign VARCHAR, attstorage VARCHAR,
  attcompression VARCHAR, attnotnull BOOLEAN, atthasdef BOOLEAN, atthasmissing BOOLEAN,
  attidentity VARCHAR, attgenerated VARCHAR, attisdropped BOOLEAN, attislocal BOOLEAN,
  attinhcount INTEGER, attcollation INTEGER, attacl VARCHAR[], attoptions VARCHAR[],
  attfdwoptions VARCHAR[], attmissingval VARCHAR);
CREATE TABLE pg_type(oid INTEGER, typname VARCHAR, typnamespace INTEGER, typowner INTEGER,
  typlen SMALLINT, typbyval BOOLEAN, typtype VARCHAR, typcategory VARCHAR,
  typispreferred BOOLEAN, typisdefined BOOLEAN, typdelim VARCHAR, typrelid INTEGER,
  typsubscript VARCHAR, typelem INTEGER, typarray INTEGER, typinput VARCHAR, typoutput VARCHAR,
  typreceive VARCHAR, typsend VARCHAR, typmodin VARCHAR, typmodout VARCHAR, typanalyze VARCHAR,
  typalign VARCHAR, typstorage VARCHAR, typnotnull BOOLEAN, typbasetype INTEGER,
  typtypmod INTEGER, typndims INTEGER, typcollation INTEGER, typdefaultbin VARCHAR,
  typdefault VARCHAR, typacl VARCHAR[]);
CREATE TABLE lh_type_names(oid INTEGER, display VARCHAR);
CREATE TABLE lh_sizes(oid INTEGER, bytes BIGINT);
CREATE TABLE pg_auth_members(oid INTEGER, roleid INTEGER, member INTEGER, grantor INTEGER,
  admin_option BOOLEAN, inherit_option BOOLEAN, set_option BOOLEAN);
CREATE TABLE pg_database(oid INTEGER, datname VARCHAR, datdba INTEGER, encoding INTEGER,
  datlocprovider VARCHAR, datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER,
  datfrozenxid INTEGER, datminmxid INTEGER, dattablespace INTEGER, datcollate VARCHAR,
  datctype VARCHAR, daticulocale VARCHAR, datcollversion VARCHAR, datacl VARCHAR[]);
CREATE TABLE pg_settings(name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR,
  short_desc VARCHAR, extra_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR,
  min_val VARCHAR, max_val VARCHAR, enumvals VARCHAR[], boot_val VARCHAR, reset_val VARCHAR,
  sourcefile VARCHAR, sourceline INTEGER, pending_restart BOOLEAN);
INSERT INTO pg_settings (name, setting, vartype, context, source) VALUES
  ('server_encoding', 'UTF8', 'string', 'internal', 'default'),
  ('client_encoding', 'UTF8', 'string', 'user', 'default'),
  ('DateStyle', 'ISO, MDY', 'string', 'user', 'default'),
  ('TimeZone', 'UTC', 'string', 'user', 'default'),
  ('integer_datetimes', 'on', 'bool', 'internal', 'default'),
  ('standard_conforming_strings', 'on', 'bool', 'user', 'default'),
  ('max_identifier_length', '63', 'integer', 'internal', 'default'),
  ('default_transaction_read_only', 'on', 'bool', 'user', 'default'),
  ('transaction_read_only', 'on', 'bool', 'user', 'default');
CREATE TABLE pg_roles(oid INTEGER, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN,
  rolcreaterole BOOLEAN, rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN,
  rolconnlimit INTEGER, rolpassword VARCHAR, rolvaliduntil VARCHAR, rolbypassrls BOOLEAN,
  rolconfig VARCHAR[]);
INSERT INTO pg_roles VALUES (10, 'lakehouse', false, true, false, false, true, false, -1,
  '********', NULL, false, NULL);
CREATE TABLE pg_user(usename VARCHAR, usesysid INTEGER, usecreatedb BOOLEAN, usesuper BOOLEAN,
  userepl BOOLEAN, usebypassrls BOOLEAN, passwd VARCHAR, valuntil VARCHAR, useconfig VARCHAR[]);
INSERT INTO pg_user VALUES ('lakehouse', 10, false, false, false, false, '********', NULL, NULL);
CREATE TABLE pg_am(oid INTEGER, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR);
INSERT INTO pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't'),
  (403, 'btree', 'bthandler', 'i');
CREATE TABLE pg_collation(oid INTEGER, collname VARCHAR, collnamespace INTEGER,
  collowner INTEGER, collprovider VARCHAR, collisdeterministic BOOLEAN, collencoding INTEGER,
  collcollate VARCHAR, collctype VARCHAR, colliculocale VARCHAR, collversion VARCHAR);
INSERT INTO pg_collation VALUES (100, 'default', 11, 10, 'd', true, -1, NULL, NULL, NULL, NULL),
  (950, 'C', 11, 10, 'c', true, -1, 'C', 'C', NULL, NULL);
CREATE TABLE pg_tablespace(oid INTEGER, spcname VARCHAR, spcowner INTEGER, spcacl VARCHAR[],
  spcoptions VARCHAR[]);
INSERT INTO pg_tablespace VALUES (1663, 'pg_default', 10, NULL, NULL);
CREATE TABLE pg_tables(schemaname VARCHAR, tablename VARCHAR, tableowner VARCHAR,
  tablespace VARCHAR, hasindexes BOOLEAN, hasrules BOOLEAN, hastriggers BOOLEAN,
  rowsecurity BOOLEAN);
CREATE TABLE pg_views(schemaname VARCHAR, viewname VARCHAR, viewowner VARCHAR,
  definition VARCHAR);
CREATE TABLE pg_matviews(schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR,
  tablespace VARCHAR, hasindexes BOOLEAN, ispopulated BOOLEAN, definition VARCHAR);
CREATE TABLE pg_index(indexrelid INTEGER, indrelid INTEGER, indnatts SMALLINT,
  indnkeyatts SMALLINT, indisunique BOOLEAN, indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN,
  indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN,
  indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN,
  indkey SMALLINT[], indcollation INTEGER[], indclass INTEGER[], indoption SMALLINT[],
  indexprs VARCHAR, indpred VARCHAR);
CREATE TABLE pg_description(objoid INTEGER, classoid INTEGER, objsubid INTEGER,
  description VARCHAR);
CREATE TABLE pg_proc(oid INTEGER, proname VARCHAR, pronamespace INTEGER, proowner INTEGER,
  prolang INTEGER, procost REAL, prorows REAL, provariadic INTEGER, prosupport VARCHAR,
  prokind VARCHAR, prosecdef BOOLEAN, proleakproof BOOLEAN, proisstrict BOOLEAN,
  proretset BOOLEAN, provolatile VARCHAR, proparallel VARCHAR, pronargs SMALLINT,
  pronargdefaults SMALLINT, prorettype INTEGER, proargtypes INTEGER[], proallargtypes INTEGER[],
  proargmodes VARCHAR[], proargnames VARCHAR[], proargdefaults VARCHAR, protrftypes INTEGER[],
  prosrc VARCHAR, probin VARCHAR, prosqlbody VARCHAR, proconfig VARCHAR[], proacl VARCHAR[]);
CREATE TABLE pg_constraint(oid INTEGER, conname VARCHAR, connamespace INTEGER, contype VARCHAR,
  condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid INTEGER,
  contypid INTEGER, conindid INTEGER, conparentid INTEGER, confrelid INTEGER,
  confupdtype VARCHAR, confdeltype VARCHAR, confmatchtype VARCHAR, conislocal BOOLEAN,
  coninhcount INTEGER, connoinherit BOOLEAN, conkey SMALLINT[], confkey SMALLINT[],
  conpfeqop INTEGER[], conppeqop INTEGER[], conffeqop INTEGER[], confdelsetcols SMALLINT[],
  conexclop INTEGER[], conbin VARCHAR);
CREATE TABLE pg_inherits(inhrelid INTEGER, inhparent INTEGER, inhseqno INTEGER,
  inhdetachpending BOOLEAN);
CREATE TABLE pg_attrdef(oid INTEGER, adrelid INTEGER, adnum SMALLINT, adbin VARCHAR);
CREATE TABLE pg_enum(oid INTEGER, enumtypid INTEGER, enumsortorder REAL, enumlabel VARCHAR);
CREATE TABLE pg_depend(classid INTEGER, objid INTEGER, objsubid INTEGER, refclassid INTEGER,
  refobjid INTEGER, refobjsubid INTEGER, deptype VARCHAR);
CREATE TABLE pg_trigger(oid INTEGER, tgrelid INTEGER, tgparentid INTEGER, tgname VARCHAR,
  tgfoid INTEGER, tgtype SMALLINT, tgenabled VARCHAR, tgisinternal BOOLEAN,
  tgconstrrelid INTEGER, tgconstrindid INTEGER, tgconstraint INTEGER, tgdeferrable BOOLEAN,
  tginitdeferred BOOLEAN, tgnargs SMALLINT, tgattr SMALLINT[], tgargs VARCHAR, tgqual VARCHAR,
  tgoldtable VARCHAR, tgnewtable VARCHAR);
CREATE TABLE pg_policy(oid INTEGER, polname VARCHAR, polrelid INTEGER, polcmd VARCHAR,
  polpermissive BOOLEAN, polroles INTEGER[], polqual VARCHAR, polwithcheck VARCHAR);
CREATE TABLE pg_rewrite(oid INTEGER, rulename VARCHAR, ev_class INTEGER, ev_type VARCHAR,
  ev_enabled VARCHAR, is_instead BOOLEAN, ev_qual VARCHAR, ev_action VARCHAR);
CREATE TABLE pg_statistic_ext(oid INTEGER, stxrelid INTEGER, stxname VARCHAR,
  stxnamespace INTEGER, stxowner INTEGER, stxstattarget INTEGER, stxkeys SMALLINT[],
  stxkind VARCHAR[], stxexprs VARCHAR);
CREATE TABLE pg_publication(oid INTEGER, pubname VARCHAR, pubowner INTEGER,
  puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN,
  pubtruncate BOOLEAN, pubviaroot BOOLEAN);
CREATE TABLE pg_publication_rel(oid INTEGER, prpubid INTEGER, prrelid INTEGER,
  prqual VARCHAR, prattrs SMALLINT[]);
CREATE TABLE pg_publication_namespace(oid INTEGER, pnpubid INTEGER, pnnspid INTEGER);
CREATE TABLE pg_foreign_table(ftrelid INTEGER, ftserver INTEGER, ftoptions VARCHAR[]);
CREATE TABLE pg_partitioned_table(partrelid INTEGER, partstrat VARCHAR, partnatts SMALLINT,
  partdefid INTEGER, partattrs SMALLINT[], partclass INTEGER[], partcollation INTEGER[],
  partexprs VARCHAR);
CREATE TABLE pg_extension(oid INTEGER, extname VARCHAR, extowner INTEGER,
  extnamespace INTEGER, extrelocatable BOOLEAN, extversion VARCHAR, extconfig INTEGER[],
  extcondition VARCHAR[]);
CREATE TABLE pg_sequence(seqrelid INTEGER, seqtypid INTEGER, seqstart BIGINT,
  seqincrement BIGINT, seqmax BIGINT, seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN);
CREATE TABLE pg_range(rngtypid INTEGER, rngsubtype INTEGER, rngmultitypid INTEGER,
  rngcollation INTEGER, rngsubopc INTEGER, rngcanonical VARCHAR, rngsubdiff VARCHAR);
CREATE SCHEMA lh_information_schema;
CREATE TABLE lh_information_schema.schemata(catalog_name VARCHAR, schema_name VARCHAR,
  schema_owner VARCHAR, default_character_set_catalog VARCHAR,
  default_character_set_schema VARCHAR, default_character_set_name VARCHAR, sql_path VARCHAR);
CREATE TABLE lh_information_schema.tables(table_catalog VARCHAR, table_schema VARCHAR,
  table_name VARCHAR, table_type VARCHAR, self_referencing_column_name VARCHAR,
  reference_generation VARCHAR, user_defined_type_catalog VARCHAR,
  user_defined_type_schema VARCHAR, user_defined_type_name VARCHAR,
  is_insertable_into VARCHAR, is_typed VARCHAR, commit_action VARCHAR);
CREATE TABLE lh_information_schema.columns(table_catalog VARCHAR, table_schema VARCHAR,
  table_name VARCHAR, column_name VARCHAR, ordinal_position INTEGER, column_default VARCHAR,
  is_nullable VARCHAR, data_type VARCHAR, character_maximum_length INTEGER,
  character_octet_length INTEGER, numeric_precision INTEGER, numeric_precision_radix INTEGER,
  numeric_scale INTEGER, datetime_precision INTEGER, interval_type VARCHAR,
  interval_precision INTEGER, udt_catalog VARCHAR, udt_schema VARCHAR, udt_name VARCHAR,
  is_identity VARCHAR, is_generated VARCHAR, is_updatable VARCHAR);
CREATE TABLE lh_information_schema.views(table_catalog VARCHAR, table_schema VARCHAR,
  table_name VARCHAR, view_definition VARCHAR);
)sql";

// The functions clients call in their catalog queries. Macros in the
// default schema come before DuckDB's own of the same name.
constexpr const char* kFunctions = R"sql(
CREATE OR REPLACE MACRO current_schema() AS 'public';
CREATE OR REPLACE MACRO current_schemas(implicit) AS ['public'];
CREATE OR REPLACE MACRO pg_backend_pid() AS 1;
CREATE OR REPLACE MACRO pg_get_userbyid(id) AS 'lakehouse';
CREATE OR REPLACE MACRO pg_encoding_to_char(id) AS 'UTF8';
CREATE OR REPLACE MACRO pg_table_is_visible(id) AS true;
CREATE OR REPLACE MACRO pg_type_is_visible(id) AS true;
CREATE OR REPLACE MACRO pg_function_is_visible(id) AS true;
CREATE OR REPLACE MACRO has_table_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO has_schema_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO has_database_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO has_column_privilege(a, b) AS true, (a, b, c) AS true,
  (a, b, c, d) AS true;
CREATE OR REPLACE MACRO format_type(id, typmod) AS
  (SELECT display FROM lh_type_names WHERE oid = id);
CREATE OR REPLACE MACRO obj_description(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO col_description(a, b) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO shobj_description(a, b) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_expr(a, b) AS NULL::VARCHAR, (a, b, c) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_indexdef(a) AS NULL::VARCHAR, (a, b, c) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_constraintdef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_viewdef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_partkeydef(a) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_statisticsobjdef_columns(a) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_table_size(a) AS
  coalesce((SELECT bytes FROM lh_sizes WHERE oid = a), 0)::BIGINT;
CREATE OR REPLACE MACRO pg_total_relation_size(a) AS pg_table_size(a);
CREATE OR REPLACE MACRO pg_relation_size(a) AS pg_table_size(a);
CREATE OR REPLACE MACRO pg_get_serial_sequence(a, b) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_function_result(a) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_function_arguments(a) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_get_function_identity_arguments(a) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO pg_indexes_size(a) AS 0::BIGINT;
CREATE OR REPLACE MACRO pg_size_pretty(a) AS CASE
  WHEN a < 10240 THEN a::VARCHAR || ' bytes'
  WHEN a < 10485760 THEN round(a / 1024)::BIGINT::VARCHAR || ' kB'
  WHEN a < 10737418240 THEN round(a / 1048576)::BIGINT::VARCHAR || ' MB'
  ELSE round(a / 1073741824)::BIGINT::VARCHAR || ' GB' END;
CREATE OR REPLACE MACRO pg_relation_is_publishable(a) AS false;
CREATE OR REPLACE MACRO array_upper(a, d) AS len(a);
CREATE OR REPLACE MACRO array_lower(a, d) AS CASE WHEN len(a) > 0 THEN 1 END;
CREATE OR REPLACE MACRO pg_postmaster_start_time() AS TIMESTAMPTZ '2000-01-01 00:00:00+00';
)sql";

struct PgType {
  int32_t oid;
  const char* name;
  const char* display;
  int16_t len;
  char category;
  int32_t element;  // of an array type
};

constexpr PgType kTypes[] = {
    {16, "bool", "boolean", 1, 'B', 0},
    {17, "bytea", "bytea", -1, 'U', 0},
    {18, "char", "\"char\"", 1, 'Z', 0},
    {19, "name", "name", 64, 'S', 0},
    {20, "int8", "bigint", 8, 'N', 0},
    {21, "int2", "smallint", 2, 'N', 0},
    {23, "int4", "integer", 4, 'N', 0},
    {25, "text", "text", -1, 'S', 0},
    {26, "oid", "oid", 4, 'N', 0},
    {114, "json", "json", -1, 'U', 0},
    {700, "float4", "real", 4, 'N', 0},
    {701, "float8", "double precision", 8, 'N', 0},
    {705, "unknown", "unknown", -2, 'X', 0},
    {1000, "_bool", "boolean[]", -1, 'A', 16},
    {1005, "_int2", "smallint[]", -1, 'A', 21},
    {1007, "_int4", "integer[]", -1, 'A', 23},
    {1009, "_text", "text[]", -1, 'A', 25},
    {1015, "_varchar", "character varying[]", -1, 'A', 1043},
    {1016, "_int8", "bigint[]", -1, 'A', 20},
    {1021, "_float4", "real[]", -1, 'A', 700},
    {1022, "_float8", "double precision[]", -1, 'A', 701},
    {1043, "varchar", "character varying", -1, 'S', 0},
    {1082, "date", "date", 4, 'D', 0},
    {1083, "time", "time without time zone", 8, 'D', 0},
    {1114, "timestamp", "timestamp without time zone", 8, 'D', 0},
    {1184, "timestamptz", "timestamp with time zone", 8, 'D', 0},
    {1186, "interval", "interval", 16, 'T', 0},
    {1266, "timetz", "time with time zone", 12, 'D', 0},
    {1700, "numeric", "numeric", -1, 'N', 0},
    {2205, "regclass", "regclass", 4, 'N', 0},
    {2206, "regtype", "regtype", 4, 'N', 0},
    {2950, "uuid", "uuid", 16, 'U', 0},
};

std::string Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

std::string FixedCatalogSql(const std::string& database) {
  std::string sql = kFixedTables;
  sql += kFunctions;
  sql += "CREATE OR REPLACE MACRO current_database() AS " + SqlString(database) + ";\n";
  sql += "CREATE OR REPLACE MACRO version() AS " + SqlString(PgVersionString()) + ";\n";
  sql += "INSERT INTO pg_database VALUES (16383, " + SqlString(database) +
         ", 10, 6, 'c', false, true, -1, 0, 0, 1663, 'C.UTF-8', 'C.UTF-8', NULL, NULL, NULL);\n";
  sql += "INSERT INTO lh_information_schema.schemata VALUES ";
  const char* schemas[] = {"pg_catalog", "public", "information_schema"};
  for (size_t i = 0; i < 3; ++i) {
    sql += std::string(i ? ", " : "") + "(" + SqlString(database) + ", " + SqlString(schemas[i]) +
           ", 'lakehouse', NULL, NULL, 'UTF8', NULL)";
  }
  sql += ";\n";
  for (const PgType& type : kTypes) {
    sql +=
        "INSERT INTO pg_type (oid, typname, typnamespace, typowner, typlen, typbyval, typtype, "
        "typcategory, typispreferred, typisdefined, typdelim, typrelid, typelem, typarray, "
        "typalign, typstorage, typnotnull, typbasetype, typtypmod, typndims, typcollation) "
        "VALUES (" +
        std::to_string(type.oid) + ", " + SqlString(type.name) + ", 11, 10, " +
        std::to_string(type.len) + ", " + Bool(type.len > 0 && type.len <= 8) + ", 'b', " +
        SqlString(std::string(1, type.category)) + ", false, true, ',', 0, " +
        std::to_string(type.element) + ", 0, 'i', 'p', false, 0, -1, 0, 0);\n";
    sql += "INSERT INTO lh_type_names VALUES (" + std::to_string(type.oid) + ", " +
           SqlString(type.display) + ");\n";
  }
  return sql;
}

std::string DatasetCatalogSql(const std::string& database,
                              const std::vector<CatalogDataset>& datasets) {
  std::string sql =
      "DELETE FROM pg_class; DELETE FROM pg_attribute; DELETE FROM pg_tables; "
      "DELETE FROM lh_sizes; "
      "DELETE FROM lh_information_schema.tables; DELETE FROM lh_information_schema.columns;\n";
  for (size_t i = 0; i < datasets.size(); ++i) {
    const CatalogDataset& dataset = datasets[i];
    std::string oid = std::to_string(kFirstDatasetOid + i);
    std::string name = SqlString(dataset.name);
    sql += "INSERT INTO pg_class VALUES (" + oid + ", " + name + ", 2200, 0, 0, 10, 2, 0, 0, 0, " +
           std::to_string(dataset.rows) + ", 0, 0, false, false, 'p', 'r', " +
           std::to_string(dataset.columns.size()) +
           ", 0, false, false, false, false, false, true, 'd', false, 0, 0, 0, NULL, NULL, "
           "NULL);\n";
    sql += "INSERT INTO lh_sizes VALUES (" + oid + ", " + std::to_string(dataset.bytes) + ");\n";
    sql += "INSERT INTO pg_tables VALUES ('public', " + name +
           ", 'lakehouse', NULL, false, false, false, false);\n";
    sql += "INSERT INTO lh_information_schema.tables VALUES (" + SqlString(database) +
           ", 'public', " + name +
           ", 'BASE TABLE', NULL, NULL, NULL, NULL, NULL, 'NO', 'NO', "
           "NULL);\n";
    for (size_t c = 0; c < dataset.columns.size(); ++c) {
      const CatalogColumn& column = dataset.columns[c];
      std::string number = std::to_string(c + 1);
      std::string type_oid = std::to_string(column.type_oid);
      sql += "INSERT INTO pg_attribute VALUES (" + oid + ", " + SqlString(column.name) + ", " +
             type_oid + ", -1, (SELECT typlen FROM pg_type WHERE oid = " + type_oid + "), " +
             number +
             ", 0, -1, -1, false, 'i', 'x', '', false, false, false, '', '', false, true, 0, "
             "0, NULL, NULL, NULL, NULL);\n";
      sql +=
          "INSERT INTO lh_information_schema.columns (table_catalog, table_schema, "
          "table_name, column_name, ordinal_position, is_nullable, data_type, udt_catalog, "
          "udt_schema, udt_name, is_identity, is_generated, is_updatable) VALUES (" +
          SqlString(database) + ", 'public', " + name + ", " + SqlString(column.name) + ", " +
          number + ", 'YES', (SELECT display FROM lh_type_names WHERE oid = " + type_oid + "), " +
          SqlString(database) +
          ", 'pg_catalog', (SELECT typname FROM pg_type WHERE "
          "oid = " +
          type_oid + "), 'NO', 'NEVER', 'NO');\n";
    }
  }
  return sql;
}

}  // namespace lakehouse::pgwire
