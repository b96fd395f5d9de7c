// Validates Kubernetes objects against the official OpenAPI schemas (the kubernetes-models packages).
// Usage: node validate.mjs FILE... (JSON: an object or an array of objects; YAML: one or more documents).
// Prints one JSON line per object: {file, index, kind, name, ok, error}; exits 1 when any object is invalid.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const failures = [];
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const objects = file.endsWith(".json") ? [JSON.parse(text)].flat() : yaml.loadAll(text).filter(Boolean);
  for (const [index, obj] of objects.entries()) {
    const result = { file, index, kind: obj?.kind, name: obj?.metadata?.name, ok: true };
    try {
      const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : [null, obj.apiVersion];
      const module = await import(`kubernetes-models/${group ? `${group}/` : ""}${version}`);
      const Model = module[obj.kind];
      if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
      new Model(obj).validate();
    } catch (e) {
      result.ok = false;
      result.error = e.message;
      failures.push(result);
    }
    console.log(JSON.stringify(result));
  }
}
process.exit(failures.length > 0 ? 1 : 0);
