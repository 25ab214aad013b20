/**
 * The publisher's reads of the verdict table, for its own policy (infra/access.ts) and for the HTTP
 * API's function that reads verdicts on its behalf (infra/http-api.ts): records, post links and review
 * items only, by partition-key prefix (dynamodb:LeadingKeys). Task-token items (TOKEN#) are denied
 * outright: a token resumes a waiting execution with any output, so whoever can read one could approve
 * an image. The Deny also overrides a broader read another policy of the same principal might grant.
 */
import type * as aws from '@pulumi/aws';
import { KEY_PREFIXES, PUBLISHER_READABLE_PREFIXES } from '../functions/shared/verdict-store/dynamodb.js';
import type { Statement } from './iam.js';

/** The item reads a LeadingKeys condition applies to (each names the partition key it reads). */
const ITEM_READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

export function publisherTableReads(table: aws.dynamodb.Table): Statement[] {
  return [
    { Sid: 'DescribeTheVerdictTable', Effect: 'Allow', Action: ['dynamodb:DescribeTable'], Resource: table.arn },
    {
      Sid: 'ReadRecordedVerdicts',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: table.arn,
      Condition: {
        // Every partition key the request reads must start with one of these prefixes; Null false: a
        // request that names no key (ForAllValues is true of an empty set) is not allowed by this grant.
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': PUBLISHER_READABLE_PREFIXES.map((p) => `${p}*`) },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
    {
      Sid: 'NeverReadTaskTokens',
      Effect: 'Deny',
      Action: ITEM_READS,
      Resource: table.arn,
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${KEY_PREFIXES.token}*`] } },
    },
  ];
}
