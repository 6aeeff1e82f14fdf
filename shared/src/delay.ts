/** Waits `ms` milliseconds: the pause between retries of the adapters' backoffs (tests inject their own). */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
