import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { telemetryConfigFromEnv } from '../../functions/shared/telemetry/config.js';
import { createTelemetry } from '../../functions/shared/telemetry/create.js';
import { profiled } from '../../functions/shared/telemetry/phases.js';

describe('telemetry: a traced call can count towards a profile phase', () => {
  const t = createTelemetry(telemetryConfigFromEnv({}), undefined);

  it('adds the wall time of traced(name, fn, phase) to that phase, and only to it', async () => {
    const { result, phases } = await profiled(async () => {
      const a = await t.traced('staging get', () => sleep(20, 'bytes'), 'staging I/O');
      const b = await t.traced('classify', () => sleep(5, 'labels'));
      return [a, b];
    });
    expect(result).to.deep.equal(['bytes', 'labels']);
    expect(Object.keys(phases)).to.deep.equal(['staging I/O']);
    expect(phases['staging I/O']).to.be.at.least(15);
  });

  it('still counts a call that throws, and hands its error on', async () => {
    let caught: unknown;
    const { phases } = await profiled(async () => {
      try {
        await t.traced('staging get', () => Promise.reject(new RangeError('gone')), 'staging I/O');
      } catch (err) {
        caught = err;
      }
    });
    expect(caught).to.be.instanceOf(RangeError);
    expect(phases).to.have.property('staging I/O');
  });

  it('outside a profile it is a plain call', async () => {
    expect(await t.traced('staging get', () => Promise.resolve(7), 'staging I/O')).to.equal(7);
  });
});
