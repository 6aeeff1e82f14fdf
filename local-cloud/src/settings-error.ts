/** A knob set to something the local cloud cannot use (an option or LC_* variable): said without a stack. */
export class SettingsError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'SettingsError';
  }
}
