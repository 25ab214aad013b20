/**
 * Validates a definition before anyone deploys or runs it: asl-validator's schema and transition
 * checks, plus the rules it misses that bit us (docs/decisions.md, "Validating definitions").
 * infra/workflow.ts checks the deployed definition while the stack is built (`npm run plan`, `pulumi up`),
 * the local engine its own at start-up (workflows/local/workflow.ts): both through assertValidDefinition.
 */
import aslValidator from 'asl-validator';
import { InvalidDefinition } from '../functions/shared/errors.js';
import type { AslDefinition, AslStateMachine, Catcher, Retrier } from './asl.js';
import { walkStates } from './asl.js';

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

/**
 * Our own rules: States.ALL alone and last (asl-validator misses it; AWS refuses the definition),
 * TimeoutSeconds on every Task (the local default is 60 s, AWS has none), and no `ResultPath: "$"`
 * (broken in the local engine: omit it instead).
 */
export function checkRules(def: AslStateMachine): string[] {
  const errors: string[] = [];
  for (const { name, state, parents } of walkStates(def)) {
    const where = [...parents, name].join(' > ');
    if (state.Type === 'Task' && !(Number.isInteger(state.TimeoutSeconds) && state.TimeoutSeconds > 0)) {
      errors.push(`${where}: a Task needs a positive integer TimeoutSeconds.`);
    }
    if ('ResultPath' in state && state.ResultPath === '$') errors.push(`${where}: ResultPath "$" is broken in the local engine; omit it.`);
    const lists: Array<[string, Array<Retrier | Catcher>]> = [];
    if (state.Type === 'Task' || state.Type === 'Parallel') {
      if (state.Retry) lists.push(['Retry', state.Retry]);
      if (state.Catch) lists.push(['Catch', state.Catch]);
    }
    for (const [field, list] of lists) {
      list.forEach((entry, i) => {
        if (!entry.ErrorEquals.includes('States.ALL')) return;
        if (entry.ErrorEquals.length !== 1) errors.push(`${where}: ${field}[${i}] has States.ALL together with other names; it must be alone.`);
        if (i !== list.length - 1) errors.push(`${where}: ${field}[${i}] with States.ALL must be the last entry.`);
      });
      if (field === 'Catch') {
        for (const c of list as Catcher[])
          if ('ResultPath' in c && c.ResultPath === '$') errors.push(`${where}: a Catch with ResultPath "$" is broken locally.`);
      }
    }
  }
  return errors;
}

export function validateDefinition(def: AslDefinition): ValidationResult {
  // asl-validator adds QueryLanguage to every state: never let it touch the object Pulumi deploys.
  const res = aslValidator(structuredClone(def), { checkPaths: true, checkArn: true });
  const errors = res.isValid ? [] : res.errors.map((e) => e.message);
  errors.push(...checkRules(def));
  return { valid: errors.length === 0, errors };
}

/** The definition itself when valid; else InvalidDefinition listing every problem. `which` names it in the message. */
export function assertValidDefinition<T extends AslDefinition>(def: T, which: string): T {
  const { valid, errors } = validateDefinition(def);
  if (!valid)
    throw new InvalidDefinition(`The ${which} state machine definition is invalid: ${errors.join(' ')} Fix workflows/definition.ts (or what built it).`, {
      errors,
    });
  return def;
}

/** Names of every state reachable from `start` by Next, Default, Choices and Catch (within one machine level). */
export function reachableFrom(machine: AslStateMachine, start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const s = machine.States[name];
    if (!s) continue;
    if ('Next' in s && s.Next) todo.push(s.Next);
    if (s.Type === 'Choice') {
      for (const c of s.Choices) todo.push(c.Next);
      if (s.Default) todo.push(s.Default);
    }
    if ((s.Type === 'Task' || s.Type === 'Parallel') && s.Catch) for (const c of s.Catch) todo.push(c.Next);
  }
  return seen;
}
