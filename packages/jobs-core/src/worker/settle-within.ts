/**
 * Waits for `promise` for at most `ms`; says whether it settled in time. The timer is cleared either
 * way, so a wait that ends early leaves no live timer behind (nor keeps a process alive).
 *
 * @example
 * if (!(await settleWithin(runner.whenIdle(), timeoutMs))) runner.interruptAll('stopping')
 */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timedOut,
    ])
  } finally {
    clearTimeout(timer)
  }
}
