/**
 * Why a configuration was refused: one line per problem, each naming where (file:line:col or the
 * JSON path) and why. The message is the same lines joined, so printing the error is enough.
 */
export class ConfigLoadError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigLoadError';
    this.problems = problems;
  }
}
