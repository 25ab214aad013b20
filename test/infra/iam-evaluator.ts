/**
 * A stand-in for IAM's evaluation of identity policies (which cannot run here), for the elements the
 * stack's DynamoDB grants use, with the semantics AWS documents: an explicit Deny wins over any Allow;
 * otherwise a matching Allow allows and nothing matching denies implicitly. Within a Condition every
 * operator and every key must hold, any of a key's values may match; `ForAllValues:` is true of a
 * request without the key (hence the Null check the grants add), `ForAnyValue:` false; `Null` "false"
 * means the key is present. Actions and resources match with the * and ? wildcards.
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
 * reference_policies_condition-single-vs-multi-valued-context-keys.html)
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamRequest {
  action: string;
  resource: string;
  /** Condition context keys, each with its values (dynamodb:LeadingKeys: every partition key read). */
  context: Record<string, string[]>;
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return re.test(value);
}

function stringMatch(op: string, pattern: string, value: string): boolean {
  if (op === 'StringEquals') return pattern === value;
  if (op === 'StringLike') return globMatch(pattern, value);
  throw new Error(`The IAM stand-in does not know the condition operator ${op}: add it with AWS's documented meaning.`);
}

function conditionHolds(condition: PolicyStatement['Condition'], context: IamRequest['context']): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, wanted]) => {
      const values = context[key];
      const patterns = list(wanted);
      if (operator === 'Null') return patterns.every((p) => (p === 'true') === (values === undefined || values.length === 0));
      const [qualifier, op] = operator.includes(':') ? operator.split(':') : [undefined, operator];
      if (qualifier === 'ForAllValues') return (values ?? []).every((v) => patterns.some((p) => stringMatch(op, p, v)));
      if (qualifier === 'ForAnyValue') return (values ?? []).some((v) => patterns.some((p) => stringMatch(op, p, v)));
      if (qualifier !== undefined) throw new Error(`Unknown set qualifier ${qualifier}.`);
      return values !== undefined && values.length === 1 && patterns.some((p) => stringMatch(op, p, values[0]));
    }),
  );
}

export function evaluate(statements: readonly PolicyStatement[], req: IamRequest): 'allow' | 'explicit-deny' | 'implicit-deny' {
  const matching = statements.filter(
    (s) =>
      list(s.Action).some((a) => globMatch(a, req.action)) &&
      list(s.Resource).some((r) => globMatch(r, req.resource)) &&
      conditionHolds(s.Condition, req.context),
  );
  if (matching.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}
