// Faults below the API: an ONNX Runtime library that is not one or is too old, and a Run that fails mid-flight.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType, encodeModel } from '../models/onnx-writer';
import { CrossEncoder } from '../src';
import { TINY, cloneModel } from './helpers/models';

const root = path.resolve(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-faults-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function loadInChild(library: string): { loaded?: boolean; code?: string; message?: string } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'load-with-ort.ts'), library], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out) as { loaded?: boolean; code?: string; message?: string };
}

describe.skipIf(process.platform !== 'linux')('ONNX Runtime library faults', () => {
  it('a shared library that is not ONNX Runtime is refused with ERR_ORT_LOAD', () => {
    const source = path.join(scratch, 'not-ort.c');
    const library = path.join(scratch, 'libnot-ort.so');
    fs.writeFileSync(source, 'int crossrank_not_ort(void) { return 0; }\n');
    execFileSync('cc', ['-shared', '-fPIC', '-o', library, source]);
    expect(loadInChild(library)).toMatchObject({ code: 'ERR_ORT_LOAD', message: expect.stringContaining('does not export OrtGetApiBase') });
  });

  it('a runtime older than the compiled API is refused with ERR_ORT_VERSION naming its version', () => {
    // A stand-in for ONNX Runtime 1.10: it answers GetApi(21) with NULL, as an old runtime does.
    const source = path.join(scratch, 'old-ort.c');
    const library = path.join(scratch, 'libonnxruntime-old.so');
    fs.writeFileSync(
      source,
      [
        'typedef struct { const void* (*GetApi)(unsigned); const char* (*GetVersionString)(void); } Base;',
        'static const void* get_api(unsigned version) { (void)version; return 0; }',
        'static const char* version_string(void) { return "1.10.0"; }',
        'static const Base base = { get_api, version_string };',
        'const Base* OrtGetApiBase(void) { return &base; }',
      ].join('\n'),
    );
    execFileSync('cc', ['-shared', '-fPIC', '-o', library, source]);
    expect(loadInChild(library)).toMatchObject({
      code: 'ERR_ORT_VERSION',
      message: expect.stringMatching(/version 1\.10\.0; crossrank needs 1\.21 or newer/),
    });
  });
});

// A graph that loads but cannot run on real batches: its output is always [2, 1], whatever the batch.
function failingGraph(): Buffer {
  return encodeModel({
    irVersion: 8,
    opsetVersion: 13,
    producerName: 'crossrank-test',
    producerVersion: '1',
    graph: {
      name: 'fails-at-run',
      nodes: [
        { opType: 'Cast', inputs: ['input_ids'], outputs: ['ids_f'], name: 'cast', attributes: { to: { kind: 'int', value: DataType.FLOAT } } },
        { opType: 'Reshape', inputs: ['ids_f', 'fixed_shape'], outputs: ['grid'], name: 'reshape' },
        { opType: 'ReduceSum', inputs: ['grid', 'axes'], outputs: ['logits'], name: 'sum', attributes: { keepdims: { kind: 'int', value: 1 } } },
      ],
      initializers: [
        { name: 'fixed_shape', dataType: DataType.INT64, dims: [2], data: BigInt64Array.from([2n, 4n]) },
        { name: 'axes', dataType: DataType.INT64, dims: [1], data: BigInt64Array.from([1n]) },
      ],
      inputs: [{ name: 'input_ids', elemType: DataType.INT64, shape: ['batch_size', 'sequence_length'] }],
      outputs: [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch_size', 1] }],
    },
  });
}

describe('a Run that fails', () => {
  it('rejects every call in the batch with ERR_RUN and the runtime message; the model keeps working', async () => {
    const dir = cloneModel(TINY, (d) => {
      fs.rmSync(path.join(d, 'onnx', 'model.onnx'));
      fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), failingGraph());
    });
    const model = await CrossEncoder.load(dir, { activation: 'identity' });
    const outcomes = await Promise.allSettled([model.score([['a', 'b']]), model.score([['c d', 'e']])]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as Error & { code: string };
      expect(reason.code).toBe('ERR_RUN');
      expect(reason.message).toMatch(/^ONNX Runtime failed to run the model: \S/);
    }
    // Later calls fail the same way: a failed batch leaves the queue and the runner working, nothing hangs.
    await expect(model.score([['a b c', 'x']])).rejects.toMatchObject({ code: 'ERR_RUN' });
    await model.close();
  });
});
