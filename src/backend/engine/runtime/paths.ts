// Function paths: "dir/module:function". Clients may send "module.js:fn"
// or just "module" (its default export); this mirrors
// node_modules/convex/src/browser/sync/udf_path_utils.ts `canonicalizeUdfPath`.

export type CanonicalPath = { readonly module: string; readonly name: string; readonly path: string };

export function canonicalizePath(udfPath: string): CanonicalPath {
  const pieces = udfPath.split(":");
  let module: string;
  let name: string;
  if (pieces.length === 1) {
    module = pieces[0];
    name = "default";
  } else {
    module = pieces.slice(0, -1).join(":");
    name = pieces[pieces.length - 1];
  }
  if (module.endsWith(".js")) module = module.slice(0, -3);
  return { module, name, path: `${module}:${name}` };
}

/** How Convex prints a path in errors: the default export is just the module. */
export function displayPath(path: CanonicalPath): string {
  return path.name === "default" ? path.module : path.path;
}

/** How Convex prints a path with its module file, e.g. "messages.js:send". */
export function displayPathWithModule(path: CanonicalPath): string {
  return `${path.module}.js:${path.name}`;
}
