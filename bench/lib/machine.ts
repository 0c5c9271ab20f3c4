// What the numbers were measured on: CPU, cores, OS and the versions of every package compared.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { physicalCores as countPhysicalCores } from '../../src/physical-cores';

/** Physical cores (Linux), else logical CPUs: the intra-op threads every benchmark gives ONNX Runtime. */
export function physicalCores(): number {
  return countPhysicalCores() ?? os.availableParallelism();
}

const ROOT = path.join(__dirname, '..', '..');

/** Version from a package.json under the repository root ('' for crossrank's own). */
function packageVersion(name: string): string {
  try {
    const file = path.join(ROOT, name === '' ? '' : path.join('node_modules', name), 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

export interface MachineInfo {
  cpu: string;
  logicalCpus: number;
  physicalCores: number;
  os: string;
  node: string;
  versions: Record<string, string>;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    logicalCpus: os.availableParallelism(),
    physicalCores: physicalCores(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: Object.fromEntries(
      ['crossrank', 'onnxruntime-node', 'tokenizers', '@huggingface/transformers'].map((name) => [
        name,
        packageVersion(name === 'crossrank' ? '' : name),
      ]),
    ),
  };
}

export function describeMachine(m: MachineInfo): string {
  const versions = Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${m.cpu}, ${m.physicalCores} physical cores / ${m.logicalCpus} logical, ${m.os}, Node ${m.node}\n${versions}`;
}
