// Command-line flags for the benchmark scripts: `--name value` or `--name=value`, else env BENCH_NAME, else a default.

export interface FlagSpec {
  [name: string]: { default: number | string | boolean; help: string };
}

export type Flags<S extends FlagSpec> = { [K in keyof S]: S[K]['default'] extends number ? number : S[K]['default'] extends boolean ? boolean : string };

function envName(flag: string): string {
  return `BENCH_${flag.replace(/-/g, '_').toUpperCase()}`;
}

function convert(flag: string, raw: string, kind: 'number' | 'string' | 'boolean'): number | string | boolean {
  if (kind === 'string') return raw;
  if (kind === 'boolean') return raw !== '0' && raw !== 'false';
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`Expected a non-negative number for --${flag} but received ${raw}`);
  return n;
}

/** Parses process.argv against `spec`; `--help` prints the flags and exits. */
export function parseFlags<S extends FlagSpec>(spec: S, usage: string, argv = process.argv.slice(2)): Flags<S> {
  const out: Record<string, number | string | boolean> = {};
  for (const [name, s] of Object.entries(spec)) {
    const env = process.env[envName(name)];
    out[name] = env === undefined ? s.default : convert(name, env, typeof s.default as 'number');
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      for (const [name, s] of Object.entries(spec)) console.log(`  --${name.padEnd(18)} ${s.help} (default ${String(s.default)}; env ${envName(name)})`);
      process.exit(0);
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1];
    const s = name === undefined ? undefined : spec[name];
    if (!m || name === undefined || !s) throw new Error(`Unknown argument ${arg}; run with --help`);
    const kind = typeof s.default as 'number' | 'string' | 'boolean';
    let raw = m[2];
    if (raw === undefined) {
      if (kind === 'boolean') raw = 'true';
      else raw = argv[++i];
      if (raw === undefined) throw new Error(`--${name} needs a value`);
    }
    out[name] = convert(name, raw, kind);
  }
  return out as Flags<S>;
}
