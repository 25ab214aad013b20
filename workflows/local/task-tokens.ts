/**
 * The local stand-in for Step Functions' task tokens (the embedded engine has none of its own): each execution gets a token in its
 * context (`$$.Task.Token`), a `.waitForTaskToken` task waits on it, and `sendSuccess` (what
 * SendTaskSuccess is in AWS) resumes it. Single-use like Step Functions' own: a used or timed-out token
 * is refused with the error names Step Functions uses, so the review code's stale-token handling runs
 * locally as it does against AWS.
 */
import { randomUUID } from 'node:crypto';
import type { TaskCallbacks } from '../../functions/verdicts/deps.js';

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

export class LocalTaskTokens implements TaskCallbacks {
  private readonly waiting = new Map<string, (output: unknown) => void>();
  private readonly closed = new Set<string>();

  newToken(): string {
    return `local-${randomUUID()}`;
  }

  /** Resolves with the output of the first sendSuccess for this token; the token closes after `timeoutMs`. */
  wait(token: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // The engine fails the task with States.Timeout itself; here the token stops being usable.
        this.waiting.delete(token);
        this.closed.add(token);
      }, timeoutMs);
      timer.unref();
      this.waiting.set(token, (output) => {
        clearTimeout(timer);
        resolve(output);
      });
    });
  }

  async sendSuccess(taskToken: string, output: unknown): Promise<void> {
    const resume = this.waiting.get(taskToken);
    if (!resume) {
      throw this.closed.has(taskToken) ? named('TaskTimedOut', 'Task Timed Out') : named('TaskDoesNotExist', `Task ${taskToken} does not exist`);
    }
    this.waiting.delete(taskToken);
    this.closed.add(taskToken);
    // Step Functions passes the output as JSON: so do we.
    resume(JSON.parse(JSON.stringify(output ?? null)));
  }
}
