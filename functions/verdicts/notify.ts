/**
 * Tells moderators that an image waits for them: one SNS message per new review (email subscribers get
 * it as text). The message says what and why and how to decide; it never carries the task token, so a
 * forwarded email cannot approve anything: deciding needs the review CLI's IAM permissions.
 */
import type { ReviewItem, Verdict } from '../shared/contracts/index.js';
import type { ReviewNotifier } from './deps.js';
import { printable } from '../shared/printable.js';

export function reviewMessage(item: ReviewItem): { subject: string; body: string } {
  const v = item.verdict;
  const why = v.reasons.map((r) => `- ${printable(`${r.code}${r.category ? ` ${r.category}` : ''}: ${r.message}`)}`).join('\n');
  const labels = v.labels.map((l) => `${l.label} ${Math.round(l.score * 100)}%`).join(', ');
  const safety = v.moderation.map((m) => `${m.name} ${Math.round(m.confidence)}%`).join(', ');
  const subject = `Image held for review: ${item.reviewId}`.slice(0, 99);
  const body = [
    `An image needs a moderator's decision before ${item.deadline}.`,
    '',
    `Review:   ${item.reviewId}`,
    `Image:    ${printable(item.imageUrl ?? '(unknown URL)')}`,
    `Staged:   ${printable(v.image?.uri ?? '-')}`,
    `Posts:    ${printable(item.postIds.join(', ')) || '-'}`,
    `sha256:   ${item.sha256}`,
    '',
    'Why it was held:',
    why || '-',
    '',
    `Classifier: ${labels || '-'}`,
    `Safety:     ${safety || '-'}`,
    '',
    'Decide with:',
    `  npm run review -- show ${item.reviewId} --stack`,
    `  npm run review -- approve ${item.reviewId} --stack --as <your name> [--note "..."]`,
    `  npm run review -- reject ${item.reviewId} --stack --as <your name> [--note "..."]`,
    '',
    `Without a decision by the deadline the image is not approved (the stack's review timeout outcome).`,
  ].join('\n');
  return { subject, body };
}

/** A review that passed its deadline undecided: what the image ended as, and that a person can still decide it. */
export function expiredMessage(item: ReviewItem, verdict: Verdict): { subject: string; body: string } {
  const ended = verdict.decision === 'reject' ? 'rejected (the timeout rule)' : 'kept in review, unpublished';
  const subject = `Review expired undecided: ${item.reviewId}`.slice(0, 99);
  const body = [
    `Nobody decided this image before its deadline (${item.deadline}); it was ${ended}. It was never approved.`,
    '',
    `Review:   ${item.reviewId}`,
    `Image:    ${printable(item.imageUrl ?? '(unknown URL)')}`,
    `Posts:    ${printable(item.postIds.join(', ')) || '-'}`,
    `sha256:   ${item.sha256}`,
    '',
    'A decision still counts (the next submission of the image gets it):',
    `  npm run review -- approve ${item.reviewId} --stack --as <your name> [--note "..."]`,
    `  npm run review -- reject ${item.reviewId} --stack --as <your name> [--note "..."]`,
  ].join('\n');
  return { subject, body };
}

export function snsNotifier(topicArn: string, send: (input: { TopicArn: string; Subject: string; Message: string }) => Promise<unknown>): ReviewNotifier {
  return {
    async notify(item) {
      const { subject, body } = reviewMessage(item);
      await send({ TopicArn: topicArn, Subject: subject, Message: body });
    },
    async expired(item, verdict) {
      const { subject, body } = expiredMessage(item, verdict);
      await send({ TopicArn: topicArn, Subject: subject, Message: body });
    },
  };
}

/** REVIEW_TOPIC_ARN set (by the Pulumi program): SNS; otherwise no notifications. */
export async function snsNotifierFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ReviewNotifier | undefined> {
  const topicArn = env.REVIEW_TOPIC_ARN?.trim();
  if (!topicArn) return undefined;
  const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
  const sns = new SNSClient({});
  return snsNotifier(topicArn, (input) => sns.send(new PublishCommand(input)));
}
