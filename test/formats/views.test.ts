// The pure parts of FetchImage's views (functions/fetch-image/views.ts), on real pixels where pixels matter.
import { expect } from 'chai';
import sharp from 'sharp';
import { distinctFrames, flatten, sampleEvenly, seeThroughShare, thumbnail, checkedViewSize } from '../../functions/fetch-image/views.js';
import { SAMPLE } from './fixtures.js';

describe('fetch-image/views', () => {
  it('samples evenly from the first to the last item', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(sampleEvenly(items, 5)).to.deep.equal([0, 25, 50, 74, 99]);
    expect(sampleEvenly([1, 2, 3], 10)).to.deep.equal([1, 2, 3]);
    expect(sampleEvenly(items, 1)).to.deep.equal([0]);
  });

  it('sizes views within Rekognition limits: long side capped, short side at least 80', () => {
    expect(checkedViewSize(4000, 3000, 2048)).to.deep.equal({ width: 2048, height: 1536 });
    expect(checkedViewSize(40, 40, 2048)).to.deep.equal({ width: 80, height: 80 });
    expect(checkedViewSize(12_000, 100, 2048)).to.deep.equal({ width: 9600, height: 80 });
    expect(checkedViewSize(500, 375, 2048)).to.deep.equal({ width: 500, height: 375 });
  });

  it('flattens straight alpha onto a page and measures see-through pixels', () => {
    const rgba = Uint8Array.from([255, 255, 255, 0, 255, 255, 255, 255, 0, 0, 0, 128, 10, 20, 30, 255]);
    expect([...flatten(rgba, 0)]).to.deep.equal([0, 0, 0, 255, 255, 255, 0, 0, 0, 10, 20, 30]);
    expect([...flatten(rgba, 255)]).to.deep.equal([255, 255, 255, 255, 255, 255, 127, 127, 127, 10, 20, 30]);
    expect(seeThroughShare(rgba)).to.equal(0.5);
  });

  it('tells different photos apart and counts a near-identical copy once', async () => {
    const frame = async (p: string) => {
      const { data, info } = await sharp(p).resize(128, 128).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    };
    const zebra = await frame(SAMPLE('n02391049_zebra.JPEG'));
    const beer = await frame(SAMPLE('n02823428_beer_bottle.JPEG'));
    const zebraAgain = { ...zebra, data: Buffer.from(zebra.data) };
    zebraAgain.data.fill(0, 0, 4 * 20);
    expect(distinctFrames([zebra, zebraAgain, beer, beer, zebra].map(thumbnail))).to.deep.equal([0, 2, 4]);
  });
});
