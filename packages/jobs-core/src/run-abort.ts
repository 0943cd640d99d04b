/**
 * How a run is interrupted (a timeout, a hard stop, a lost lease). Its `AbortSignal` is made only when
 * the handler reads `ctx.signal`: most handlers never do, and an AbortController with its event
 * listener is a measurable share of a no-op job's cost. The runner hears of an abort through `onAbort`,
 * a plain callback, whether or not the signal was ever made.
 */
export class RunAbort {
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown
  #listener: ((reason: unknown) => void) | undefined

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
    this.#listener?.(reason)
  }

  /** Calls `listener` once, on the first abort (at once when already aborted). */
  onAbort(listener: (reason: unknown) => void): void {
    this.#listener = listener
    if (this.#aborted) listener(this.#reason)
  }
}
