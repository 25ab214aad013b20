import { expect } from 'chai';
import { buildDefinition, type DefinitionRefs } from '../../workflows/definition.js';
import { passesTaskToken, workflowLogging } from '../../infra/workflow-logging.js';

const refs = (mode: 'wait' | 'queue'): DefinitionRefs => ({
  fetchImageFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:fetch-image',
  classifyFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:classify',
  aggregateFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:aggregate',
  safety: { engine: 'rekognition', minConfidence: 50 },
  stagingBucket: 'staging',
  verdicts: {
    function: 'arn:aws:lambda:eu-west-1:123456789012:function:verdicts',
    ruleset: 'r',
    review: { mode, timeoutSeconds: 3600, timeoutOutcome: 'review' },
  },
});

describe('infra: what the state machine logs (workflowLogging)', () => {
  it('drops execution data when a state passes the task token (a waiting review), since TaskScheduled logs the resolved Parameters', () => {
    const def = buildDefinition(refs('wait'));
    expect(passesTaskToken(def)).to.equal(true);
    expect(workflowLogging(def)).to.deep.equal({ level: 'ALL', includeExecutionData: false });
  });

  it('keeps execution data when no state can carry a token (queued reviews: EXPRESS)', () => {
    const def = buildDefinition(refs('queue'));
    expect(passesTaskToken(def)).to.equal(false);
    expect(workflowLogging(def)).to.deep.equal({ level: 'ALL', includeExecutionData: true });
  });

  it('finds a token passed anywhere, a Parallel branch included', () => {
    const def = buildDefinition(refs('queue'));
    const analyze = def.States.AnalyzeImage as { Branches: Array<{ States: Record<string, { Parameters?: Record<string, unknown> }> }> };
    const [branch] = analyze.Branches;
    const first = Object.values(branch.States)[0];
    first.Parameters = { ...first.Parameters, 'token.$': '$$.Task.Token' };
    expect(workflowLogging(def).includeExecutionData).to.equal(false);
  });
});
