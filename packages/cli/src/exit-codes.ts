/** Exit codes are API. */
export const ExitCode = {
  /** nothing to report */
  Clean: 0,
  /** findings of severity error, or a diff */
  Findings: 1,
  /** the run could not do its job: bad usage, missing file or tool, a bug */
  Operational: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
