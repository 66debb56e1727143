// Function paths as clients write them: "chat:send", "dir/mod.js:fn", or
// "mod" for a module's default export. Canonical form is "module:function"
// without ".js" — the same rule as the client's canonicalizeUdfPath, so two
// spellings of one function share one subscription.
export function canonicalUdfPath(udfPath: string): string {
  const colon = udfPath.lastIndexOf(":");
  let moduleName = colon === -1 ? udfPath : udfPath.slice(0, colon);
  const functionName = colon === -1 ? "default" : udfPath.slice(colon + 1);
  if (moduleName.endsWith(".js")) moduleName = moduleName.slice(0, -3);
  return `${moduleName}:${functionName}`;
}
