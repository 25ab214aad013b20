/**
 * The network: a VPC with isolated subnets in two AZs and no NAT gateway (about $35 a month each, for
 * nothing: the only thing in the VPC, the classifier, talks to S3 through a free gateway endpoint and to
 * EFS). Security groups: EFS accepts NFS (2049) from the classifier's group only; the classifier may
 * reach only EFS and S3 (through the endpoint's prefix list). No default security group is used.
 */
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import type * as pulumi from '@pulumi/pulumi';

/** Mount targets are created per AZ from this fixed count, never inside an apply (docs/decisions.md, "Infrastructure"). */
export const AZ_COUNT = 2;

export interface Network {
  vpcId: pulumi.Output<string>;
  subnetIds: pulumi.Output<string[]>;
  classifierSg: aws.ec2.SecurityGroup;
  efsSg: aws.ec2.SecurityGroup;
  s3Endpoint: aws.ec2.VpcEndpoint;
}

export function createNetwork(prefix: string, region: string, tags: Record<string, string>): Network {
  const vpc = new awsx.ec2.Vpc(`${prefix}-vpc`, {
    numberOfAvailabilityZones: AZ_COUNT,
    natGateways: { strategy: awsx.ec2.NatGatewayStrategy.None },
    // With no NAT, awsx names these subnets "isolated": no route to the internet at all.
    subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
    subnetSpecs: [{ type: awsx.ec2.SubnetType.Isolated, cidrMask: 22 }],
    enableDnsHostnames: true,
    tags,
  });
  const subnetIds = vpc.isolatedSubnetIds;

  const routeTables = aws.ec2.getRouteTablesOutput({ vpcId: vpc.vpcId, filters: [{ name: 'association.subnet-id', values: subnetIds }] });
  const s3Endpoint = new aws.ec2.VpcEndpoint(`${prefix}-s3`, {
    vpcId: vpc.vpcId,
    serviceName: `com.amazonaws.${region}.s3`,
    vpcEndpointType: 'Gateway',
    routeTableIds: routeTables.ids,
    tags,
  });

  const classifierSg = new aws.ec2.SecurityGroup(`${prefix}-classifier`, {
    vpcId: vpc.vpcId,
    description: 'Classifier Lambda: egress to EFS (NFS) and S3 (gateway endpoint) only',
    tags,
  });
  const efsSg = new aws.ec2.SecurityGroup(`${prefix}-efs`, {
    vpcId: vpc.vpcId,
    description: 'Model cache on EFS: NFS from the classifier only',
    tags,
  });
  new aws.vpc.SecurityGroupIngressRule(`${prefix}-efs-nfs-from-classifier`, {
    securityGroupId: efsSg.id,
    referencedSecurityGroupId: classifierSg.id,
    ipProtocol: 'tcp',
    fromPort: 2049,
    toPort: 2049,
    description: 'NFS from the classifier Lambda',
  });
  new aws.vpc.SecurityGroupEgressRule(`${prefix}-classifier-nfs-to-efs`, {
    securityGroupId: classifierSg.id,
    referencedSecurityGroupId: efsSg.id,
    ipProtocol: 'tcp',
    fromPort: 2049,
    toPort: 2049,
    description: 'NFS to the model cache',
  });
  new aws.vpc.SecurityGroupEgressRule(`${prefix}-classifier-https-to-s3`, {
    securityGroupId: classifierSg.id,
    prefixListId: s3Endpoint.prefixListId,
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    description: 'HTTPS to S3 through the gateway endpoint (model and staged images)',
  });
  return { vpcId: vpc.vpcId, subnetIds, classifierSg, efsSg, s3Endpoint };
}
