import { expect } from 'chai';
import { goalsSummary } from '../../bench/goals-summary.js';

describe('bench/goals-summary.ts: the goals block as one line per goal', () => {
  const goals = {
    model: 'mobilenetv2-12-int8',
    exactInt8: true,
    coldInitMs: { value: 412.5, target: '< 300', met: false },
    warmSpeedupVsSeedResnet50: { value: 4.31, target: '>= 2 (aim 4)', met: true },
  };

  it('prints name, value, target and met / not met for every goal, in the block order', () => {
    const lines = goalsSummary(goals).split('\n');
    expect(lines[0]).to.equal('goals for mobilenetv2-12-int8: 2 of 3 met');
    const rows = lines.slice(2).map((l) => l.split(/\s{2,}/));
    expect(rows).to.deep.equal([
      ['exactInt8', 'yes', 'yes', 'met'],
      ['coldInitMs', '412.5', '< 300', 'not met'],
      ['warmSpeedupVsSeedResnet50', '4.31', '>= 2 (aim 4)', 'met'],
    ]);
  });

  it('lines the columns up, whatever the lengths', () => {
    const lines = goalsSummary(goals).split('\n').slice(1);
    const valueColumn = lines.map((l) => l.indexOf(l.split(/\s{2,}/)[1]));
    expect(new Set(valueColumn).size).to.equal(1);
  });

  it('reports exact int8 off as not met', () => {
    expect(goalsSummary({ ...goals, exactInt8: false })).to.match(/^exactInt8\s+no\s+yes\s+not met$/m);
  });
});
