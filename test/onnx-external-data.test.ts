// External-data discovery: the locations the onnx package reports, found without reading weights; bad files refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { checkExternalData, externalDataFiles } from '../src/onnx-external-data';
import { TINY } from './helpers/models';

const FIXTURES = path.join(__dirname, 'fixtures', 'external-data');
const EXTERNAL = path.join(FIXTURES, 'external.onnx');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as { locations: string[] };

describe('externalDataFiles', () => {
  it('lists the files the onnx package lists, including tensors inside subgraphs', () => {
    expect(externalDataFiles(EXTERNAL).sort()).toEqual([...expected.locations].sort());
  });

  it('the fixture is a model ONNX Runtime runs from its external data', async () => {
    const session = await ort.InferenceSession.create(EXTERNAL);
    const out = await session.run({
      x: new ort.Tensor('float32', new Float32Array([1, 0, 0, 0]), [1, 4]),
      flag: new ort.Tensor('bool', new Uint8Array([1]), []),
    });
    expect((out.y as ort.Tensor).dims).toEqual([1, 4]);
  });

  it('is empty for a model with its weights inside', () => {
    expect(externalDataFiles(path.join(TINY, 'onnx', 'model.onnx'))).toEqual([]);
  });

  it('refuses a location outside the model folder and a file that is not ONNX', () => {
    expect(() => externalDataFiles(path.join(FIXTURES, 'escape.onnx'))).toThrow(expect.objectContaining({ code: 'ERR_MODEL_LOAD' }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-external-'));
    const truncated = path.join(dir, 'model.onnx');
    fs.writeFileSync(truncated, fs.readFileSync(EXTERNAL).subarray(0, 200));
    expect(() => externalDataFiles(truncated)).toThrow(expect.objectContaining({ code: 'ERR_MODEL_LOAD' }));
  });
});

describe('checkExternalData', () => {
  it('names the missing external-data file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossrank-external-'));
    fs.copyFileSync(EXTERNAL, path.join(dir, 'external.onnx'));
    fs.copyFileSync(path.join(FIXTURES, 'weights.bin'), path.join(dir, 'weights.bin'));
    expect(() => checkExternalData(path.join(dir, 'external.onnx'))).toThrow(
      expect.objectContaining({ code: 'ERR_MODEL_NOT_FOUND', message: expect.stringContaining('nested/more.bin') }),
    );
    fs.mkdirSync(path.join(dir, 'nested'));
    fs.copyFileSync(path.join(FIXTURES, 'nested', 'more.bin'), path.join(dir, 'nested', 'more.bin'));
    expect(() => checkExternalData(path.join(dir, 'external.onnx'))).not.toThrow();
  });
});
