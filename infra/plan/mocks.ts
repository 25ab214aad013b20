/**
 * Pulumi mocks for offline tests and the JSON plan: every resource gets plausible outputs (ARNs, bucket
 * names, the awsx components' outputs the program reads), and the program's resource graph is recorded
 * (type, name, inputs, dependencies) so it can be asserted on or printed. awsx components are mocked
 * as single resources, and every awsx output the code reads must be faked or an apply hangs
 * (docs/decisions.md, "Infrastructure").
 */
import * as pulumi from '@pulumi/pulumi';

export const MOCK_ACCOUNT = '123456789012';
export const MOCK_REGION = 'us-east-1';

export interface PlannedResource {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  /** "type::name" of the resources this one depends on (explicit dependsOn and inputs taken from their outputs). */
  dependsOn: string[];
}

function arnFor(type: string, name: string, inputs: Record<string, unknown>): string {
  const [pkg, mod] = type.split(':');
  if (pkg !== 'aws') return `arn:mock:${type}:${name}`;
  const service = (mod ?? '').split('/')[0];
  const id = (inputs.name as string | undefined) ?? name;
  switch (service) {
    case 'lambda':
      return `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:function:${id}`;
    case 'sfn':
      return `arn:aws:states:${MOCK_REGION}:${MOCK_ACCOUNT}:stateMachine:${id}`;
    case 'iam':
      return `arn:aws:iam::${MOCK_ACCOUNT}:${type.endsWith('Policy') ? 'policy' : 'role'}/${id}`;
    case 'cloudwatch':
      if (type.endsWith('LogGroup')) return `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:${id}`;
      // EventBridge lives in Pulumi's cloudwatch module; its rules have events ARNs.
      if (type.endsWith('EventRule')) return `arn:aws:events:${MOCK_REGION}:${MOCK_ACCOUNT}:rule/${id}`;
      return `arn:aws:cloudwatch:${MOCK_REGION}:${MOCK_ACCOUNT}:alarm:${id}`;
    case 'efs':
      return `arn:aws:elasticfilesystem:${MOCK_REGION}:${MOCK_ACCOUNT}:${type.endsWith('AccessPoint') ? 'access-point/fsap' : 'file-system/fs'}-${name}`;
    case 'sns':
      return `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT}:${id}`;
    default:
      return `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${name}`;
  }
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly inputsByName = new Map<string, Record<string, unknown>>();

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
    const inputs = args.inputs as Record<string, unknown>;
    const state: Record<string, unknown> = { ...inputs };
    switch (args.type) {
      case 'awsx:ec2:Vpc':
        Object.assign(state, { vpcId: 'vpc-0mock', isolatedSubnetIds: ['subnet-0a', 'subnet-0b'], privateSubnetIds: [], publicSubnetIds: [] });
        break;
      case 'awsx:ecr:Repository':
        state.url = `${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com/${args.name}`;
        break;
      case 'command:local:Command':
        // The image build's stdout: the pushed manifest's digest (infra/build/image.ts).
        state.stdout = `sha256:${'0'.repeat(64)}\n`;
        break;
      case 'aws:s3/bucket:Bucket':
        state.bucket = `${args.name}-0mock`;
        state.arn = `arn:aws:s3:::${args.name}-0mock`;
        break;
      case 'aws:apigatewayv2/api:Api':
        // What API Gateway answers for an HTTP API: the execute-api ARN prefix routes and policies use, and its URL.
        state.executionArn = `arn:aws:execute-api:${MOCK_REGION}:${MOCK_ACCOUNT}:${args.name}-id`;
        state.apiEndpoint = `https://${args.name}-id.execute-api.${MOCK_REGION}.amazonaws.com`;
        break;
      case 'aws:lambda/function:Function':
        // A published version when the program asks for one (the alias and provisioned concurrency use it).
        if (inputs.publish) state.version = '1';
        break;
      case 'aws:lambda/alias:Alias':
        state.arn = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:function:${String(inputs.functionName)}:${String(inputs.name)}`;
        break;
      case 'aws:ec2/vpcEndpoint:VpcEndpoint':
        state.prefixListId = 'pl-63a5400a';
        break;
      default:
        break;
    }
    state.arn ??= arnFor(args.type, args.name, inputs);
    if (args.type.startsWith('aws:lambda/') || args.type.startsWith('aws:sfn/') || args.type.startsWith('aws:iam/')) state.name ??= args.name;
    this.inputsByName.set(`${args.type}::${args.name}`, inputs);
    return { id: `${args.name}-id`, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case 'aws:ecr/getAuthorizationToken:getAuthorizationToken':
        return {
          userName: 'AWS',
          password: 'mock-ecr-token',
          proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com`,
          authorizationToken: 'mock',
          expiresAt: '2099-01-01T00:00:00Z',
          id: MOCK_REGION,
        };
      case 'aws:index/getCallerIdentity:getCallerIdentity':
        return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mock`, userId: 'AIDAMOCK', id: MOCK_ACCOUNT };
      case 'aws:ec2/getRouteTables:getRouteTables':
        return { ids: ['rtb-0a', 'rtb-0b'], id: 'rtb' };
      default:
        return {};
    }
  }
}

/** What the mock monitor was asked to register: dependencies as Pulumi itself tracks them (URNs). */
interface Registration {
  type: string;
  name: string;
  dependencies: string[];
}

/**
 * Wraps the mock monitor's registerResource to keep each request's dependency list (explicit dependsOn
 * and every resource whose outputs flow into an input), which the mocks' newResource does not see.
 */
export class GraphRecorder {
  private readonly registrations: Registration[] = [];

  constructor(private readonly mocks: RecordingMocks) {}

  install(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): unknown };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      const deps = new Set<string>(req.getDependenciesList());
      for (const [, list] of req.getPropertydependenciesMap().entries()) for (const urn of list.getUrnsList()) deps.add(urn);
      this.registrations.push({ type: req.getType(), name: req.getName(), dependencies: [...deps] });
      return original(req, cb);
    };
  }

  plan(): PlannedResource[] {
    return this.registrations.map((r) => ({
      type: r.type,
      name: r.name,
      urn: `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${r.type}::${r.name}`,
      inputs: this.mocks.inputsByName.get(`${r.type}::${r.name}`) ?? {},
      dependsOn: [...new Set(r.dependencies.map(shortUrn))].filter((n) => n !== `${r.type}::${r.name}`).sort(),
    }));
  }
}

/** "type::name" from a URN (the type without its parents'): names alone repeat across types. */
export function shortUrn(urn: string): string {
  const parts = urn.split('::');
  const name = parts.pop()!;
  const type = parts.pop()!.split('$').pop()!;
  return `${type}::${name}`;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { entries(): Iterable<[string, { getUrnsList(): string[] }]> };
}

/** Sets the mocks (awaited: setMocks is async in 3.248) and starts recording. */
export async function setupMocks(stack = 'dev'): Promise<{ mocks: RecordingMocks; recorder: GraphRecorder }> {
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, 'blog-image-moderation', stack, false);
  const recorder = new GraphRecorder(mocks);
  recorder.install();
  return { mocks, recorder };
}
