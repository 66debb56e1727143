// deploy/k8s/ and the Dockerfile, checked offline: the YAML parses (the
// `yaml` library) into an Indexed Job of the shape Kubernetes needs, the
// container's shell command turns completion index k into `--shard k+1/N`
// with options simulate really has, the run config it mounts is valid for
// its scenario, and collect-reports.sh gets the reports out of the pods' logs
// and merges them (kubectl faked, `report merge` real).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { simulateCommand } from "../../src/commands/simulate.ts";
import { resolveConfig } from "../../src/commands/scenarioOptions.ts";
import { parseReport } from "../../src/metrics/report.ts";
import { parseThresholds } from "../../src/metrics/thresholds.ts";
import { validateBaseConfig } from "../../src/scenarios/config.ts";
import { findScenario } from "../../src/scenarios/index.ts";
import { makeReport } from "../support/makeReport.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MANIFEST = join(ROOT, "deploy/k8s/shards-job.yaml");

// The part of the Kubernetes API these manifests rely on (batch/v1 Job, v1 ConfigMap), as a schema.
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/);
const resources = z.object({ cpu: quantity, memory: quantity });
const Container = z.object({
  name: z.string().min(1),
  image: z.string().regex(/^[^:]+:(?!latest$)[\w.-]+$/, "a pinned tag, not :latest"),
  command: z.array(z.string()),
  args: z.array(z.string()).length(1),
  env: z.array(z.object({ name: z.string(), value: z.string() })),
  envFrom: z.array(z.object({ secretRef: z.object({ name: z.string() }) })),
  resources: z.object({ requests: resources, limits: resources }),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string().startsWith("/"), readOnly: z.boolean().optional() })),
});
const Job = z.object({
  apiVersion: z.literal("batch/v1"),
  kind: z.literal("Job"),
  metadata: z.object({ name: z.string().regex(/^[a-z0-9-]+$/) }),
  spec: z.object({
    completionMode: z.literal("Indexed"),
    completions: z.number().int().positive(),
    parallelism: z.number().int().positive(),
    backoffLimitPerIndex: z.number().int().nonnegative(),
    maxFailedIndexes: z.number().int().positive(),
    activeDeadlineSeconds: z.number().int().positive(),
    template: z.object({
      spec: z.object({
        // backoffLimitPerIndex requires Never; a restarted shard would also rerun out of step with its siblings.
        restartPolicy: z.literal("Never"),
        containers: z.array(Container).length(1),
        volumes: z.array(z.object({ name: z.string() }).passthrough()),
      }),
    }),
  }),
});
const ConfigMap = z.object({
  apiVersion: z.literal("v1"),
  kind: z.literal("ConfigMap"),
  metadata: z.object({ name: z.string() }),
  data: z.record(z.string(), z.string()),
});

function manifests() {
  const docs = parseAllDocuments(readFileSync(MANIFEST, "utf8"));
  if (!Array.isArray(docs)) throw new Error("expected a YAML stream");
  for (const doc of docs) expect(doc.errors, String(doc.errors)).toEqual([]);
  const objects = docs.map((d) => d.toJS() as { kind?: string });
  return {
    job: Job.parse(objects.find((o) => o.kind === "Job")),
    configMap: ConfigMap.parse(objects.find((o) => o.kind === "ConfigMap")),
    count: objects.length,
  };
}

/** Runs the container's shell script as pod `index` would, with `node` replaced by a stub that records its argv. */
function runContainer(index: number, stubExit: number) {
  const { job } = manifests();
  const container = job.spec.template.spec.containers[0];
  const sandbox = mkdtempSync(join(tmpdir(), "csn-rt-k8s-"));
  // Every mount (and /tmp) becomes a directory of the sandbox.
  const mounts = [...container.volumeMounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const mount of mounts) mkdirSync(join(sandbox, mount.name));
  // One pass, longest path first, so a replaced path is never replaced again.
  const pattern = new RegExp(mounts.map((m) => m.mountPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  const script = container.args[0].replace(pattern, (path) => join(sandbox, mounts.find((m) => m.mountPath === path)!.name));
  const bin = join(sandbox, "bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "node"),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${sandbox}/argv"\nwhile [ $# -gt 0 ]; do [ "$1" = --report ] && echo '{"fake":"report"}' > "$2"; shift; done\nexit ${stubExit}\n`,
  );
  chmodSync(join(bin, "node"), 0o755);
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
  const run = spawnSync(container.command[0], [...container.command.slice(1), script], {
    env: { PATH: `${bin}:${process.env.PATH}`, JOB_COMPLETION_INDEX: String(index), ...env },
    encoding: "utf8",
  });
  const argv = readFileSync(join(sandbox, "argv"), "utf8").trimEnd().split("\n");
  return { argv, code: run.status, stdout: run.stdout, sandbox, container };
}

describe("deploy/k8s/shards-job.yaml", () => {
  test("is a ConfigMap and an Indexed Job with one pod per shard, all at once", () => {
    const { job, configMap, count } = manifests();
    expect(count).toBe(2);
    const { completions, parallelism, maxFailedIndexes, template } = job.spec;
    expect(parallelism).toBe(completions);
    expect(maxFailedIndexes).toBe(completions);
    const container = template.spec.containers[0];
    expect(container.env.find((e) => e.name === "SHARDS")?.value).toBe(String(completions));
    // Every mount names a volume, and the run config comes from the ConfigMap in the same file.
    const volumes = new Map(template.spec.volumes.map((v) => [v.name, v as Record<string, unknown>]));
    for (const mount of container.volumeMounts) expect(volumes.has(mount.name), mount.name).toBe(true);
    expect((volumes.get("run")!.configMap as { name: string }).name).toBe(configMap.metadata.name);
    // Limits never below requests.
    const cores = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));
    const mebibytes = (q: string) => Number(q.replace(/[A-Za-z]+$/, "")) * ({ Ki: 1 / 1024, Mi: 1, Gi: 1024 }[q.replace(/^[\d.]+/, "")] ?? 1 / 1048576);
    expect(cores(container.resources.limits.cpu)).toBeGreaterThanOrEqual(cores(container.resources.requests.cpu));
    expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(mebibytes(container.resources.requests.memory));
  });

  test("pod k runs simulate --shard k+1/N with options simulate has, and hands in its report whatever the verdict", () => {
    const { job } = manifests();
    const shards = job.spec.completions;
    const known = new Set(simulateCommand().options.map((o) => o.long));
    for (let index = 0; index < shards; index++) {
      const { argv, code, stdout, sandbox, container } = runContainer(index, 99);
      expect(argv.slice(0, 2)).toEqual(["bin/csn-rt", "simulate"]);
      expect(argv[argv.indexOf("--shard") + 1]).toBe(`${index + 1}/${shards}`);
      for (const flag of argv.filter((a) => a.startsWith("--"))) expect(known.has(flag), `simulate has no ${flag}`).toBe(true);
      // The key and the config come from the mounted volumes.
      const mountOf = (name: string) => join(sandbox, container.volumeMounts.find((m) => m.name === name)!.name);
      expect(argv[argv.indexOf("--key-file") + 1].startsWith(mountOf("signing-key"))).toBe(true);
      expect(argv[argv.indexOf("--config") + 1].startsWith(mountOf("run"))).toBe(true);
      // A failed threshold (99) is a finished shard: the pod succeeds and prints the report between the markers.
      expect(code).toBe(0);
      expect(stdout).toBe('--- csn-rt report begin ---\n{"fake":"report"}\n--- csn-rt report end ---\n');
    }
    // Bad usage or a crash fails the pod.
    expect(runContainer(0, 2).code).toBe(2);
    expect(runContainer(0, 1).code).toBe(1);
  });

  test("the run config it mounts is valid for its scenario, and splits into whole games per shard", () => {
    const { job, configMap } = manifests();
    const file = JSON.parse(configMap.data["run.json"]) as Record<string, unknown>;
    const scenario = findScenario(String(file.scenario));
    expect(scenario, `unknown scenario ${String(file.scenario)}`).toBeDefined();
    const { config, problems } = resolveConfig({ scenarioDefaults: scenario!.defaults, file, fileName: "run.json", flags: {} });
    expect([...problems, ...validateBaseConfig(config), ...scenario!.validate(config)]).toEqual([]);
    expect(parseThresholds((file.thresholds as string[]) ?? []).errors).toEqual([]);
    // At least as many games as shards: every game's writers and viewers on one pod, so the merge is exact.
    expect(config.games).toBeGreaterThanOrEqual(job.spec.completions);
    // One load process per requested core.
    expect(config.workers).toBe(Number(job.spec.template.spec.containers[0].resources.requests.cpu));
  });
});

describe("the container image (Dockerfile)", () => {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => /^[A-Z]+\s/.test(line));

  test("is Node 20, installed with npm ci, with bin/csn-rt as its entrypoint", () => {
    const bases = instructions.filter((i) => i.startsWith("FROM ")).map((i) => i.split(/\s+/)[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:20[.-]/);
    expect(instructions.some((i) => /^RUN .*\bnpm ci\b/.test(i))).toBe(true);
    expect(instructions.find((i) => i.startsWith("ENTRYPOINT "))).toBe('ENTRYPOINT ["node", "bin/csn-rt"]');
    expect(instructions).toContain("USER node");
  });

  test("copies what bin/csn-rt needs, from paths that exist, and never the signing key", () => {
    const copied = instructions
      .filter((i) => i.startsWith("COPY ") && !i.includes("--from="))
      .flatMap((i) => i.split(/\s+/).slice(1, -1));
    for (const path of copied) expect(existsSync(join(ROOT, path)), path).toBe(true);
    for (const needed of ["package.json", "package-lock.json", "bin", "src", "convex"]) expect(copied).toContain(needed);
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    expect(ignored).toContain(".csn-rt");
    expect(ignored).toContain("node_modules");
  });
});

describe("deploy/k8s/collect-reports.sh", () => {
  test("takes every pod's report out of its log and merges them", { timeout: 60_000 }, () => {
    const sandbox = mkdtempSync(join(tmpdir(), "csn-rt-collect-"));
    const reports = [1, 2].map((index) =>
      makeReport({ scenario: "chat-burst", intervals: [{ counters: { mutations_sent: 10 * index } }], overrides: { shard: { index, count: 2 } } }),
    );
    // Pod logs as the Job writes them: the summary simulate prints, then the report between the markers.
    reports.forEach((report, i) =>
      writeFileSync(join(sandbox, `log-${i}`), `verdict: PASS\n--- csn-rt report begin ---\n${JSON.stringify(report, null, 2)}\n--- csn-rt report end ---\n`),
    );
    const bin = join(sandbox, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "kubectl"),
      [
        "#!/bin/sh",
        'case "$1" in',
        '  get) if [ "$2" = pods ]; then printf "pod/csn-rt-shards-0-abcde\\npod/csn-rt-shards-1-fghij\\n"; else echo "${2#pod/csn-rt-shards-}" | cut -d- -f1; fi ;;',
        `  logs) cat "${sandbox}/log-$(echo "\${2#pod/csn-rt-shards-}" | cut -d- -f1)" ;;`,
        "esac",
      ].join("\n"),
    );
    chmodSync(join(bin, "kubectl"), 0o755);
    const out = join(sandbox, "out");
    const run = spawnSync(join(ROOT, "deploy/k8s/collect-reports.sh"), ["csn-rt-shards", out], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("csn-rt-shards-1-fghij (completion index 1)");
    const merged = parseReport(JSON.parse(readFileSync(join(out, "merged.json"), "utf8")));
    if (!merged.ok) throw new Error(merged.errors.join("\n"));
    expect(merged.report.mergedFrom).toBe(2);
    expect(merged.report.counters.mutations_sent).toBe(30);
    expect(merged.report.notes.join("\n")).not.toMatch(/missing/);
  });
});
