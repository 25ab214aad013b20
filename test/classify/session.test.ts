import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { openSession } from '../../functions/classify/session.js';
import { EXACT_INT8_CONFIG } from '../../functions/shared/models/onnx-session.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import { tempDir } from '../models/fixtures.js';
import { accumulate, CHANNELS, dequantizedOutput, FEATURES, SATURATING_INPUT, saturatingInput, saturatingOnnx, saturatingWeights } from './saturating-model.js';

describe('classify/session: int8 results do not depend on the x86 CPU', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let modelPath: string;
  const x = saturatingInput();
  const exact = dequantizedOutput(accumulate(x, saturatingWeights(), false));
  const saturated = dequantizedOutput(accumulate(x, saturatingWeights(), true));
  const input = () => ({ [SATURATING_INPUT]: new ort.Tensor('float32', Float32Array.from(x), [1, CHANNELS]) });

  before(async () => {
    dir = await tempDir('saturation-probe-');
    modelPath = path.join(dir.dir, 'probe.onnx');
    await writeFile(modelPath, saturatingOnnx());
  });
  after(() => dir.cleanup());

  it('the probe model is one an int16-saturating kernel gets wrong', () => {
    const acc = accumulate(x, saturatingWeights(), false);
    // Exact answers inside the uint8 range and away from rounding ties, so only saturation can move them.
    for (const a of acc) {
      expect(Math.round(a / 4099) + 250).to.be.within(5, 250);
      expect(Math.abs(Math.abs((a / 4099) % 1) - 0.5)).to.be.greaterThan(0.01);
    }
    const steps = exact.map((e, i) => Math.abs(e - saturated[i]) / 4099);
    expect(Math.min(...steps)).to.be.at.least(20);
  });

  it('openSession gives the exact integer results for QLinearMatMul and QLinearConv', async () => {
    const manifest = { ...catalogEntry('mobilenetv2-12-int8'), name: 'saturation-probe' };
    const ms = await openSession(modelPath, manifest, { threads: 1 });
    try {
      const out = await ms.session.run(input());
      expect(Array.from(out.matmul.data as Float32Array)).to.deep.equal(exact);
      expect(Array.from(out.conv.data as Float32Array)).to.deep.equal(exact);
      expect(out.conv.dims).to.deep.equal([1, FEATURES, 1, 1]);
    } finally {
      await ms.session.release();
    }
  });

  it('names the precision option onnxruntime documents (session.x64quantprecision)', () => {
    expect(EXACT_INT8_CONFIG).to.deep.equal({ session: { x64quantprecision: '1' } });
  });
});
