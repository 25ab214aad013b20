/** Queries over a Pulumi plan made under mocks (infra/plan/plan-stack.ts), shared by the infra tests. */
import { expect } from 'chai';
import type { PlannedResource } from '../../infra/plan/mocks.js';
import type { StackPlan } from '../../infra/plan/plan-stack.js';

/** Every planned resource of a Pulumi type, e.g. 'aws:iam/policy:Policy'. */
export const resourcesOf = (plan: StackPlan, type: string): PlannedResource[] => plan.resources.filter((r) => r.type === type);

/** The one resource of that type whose name ends so; fails the test when there are none or several. */
export function oneResource(plan: StackPlan, type: string, nameEnds: string): PlannedResource {
  const found = resourcesOf(plan, type).filter((r) => r.name.endsWith(nameEnds));
  expect(found, `${type} *${nameEnds}`).to.have.length(1);
  return found[0];
}
