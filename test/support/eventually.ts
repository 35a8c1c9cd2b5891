/**
 * Polls `probe` until it returns a value (not undefined, not false), and
 * returns it; fails after the timeout with `describe()` appended, so a
 * failure shows what the processes involved said.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${describe() ? `\n${describe()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
