/**
 * What a worker knows about due work between its claims, shared by the three places that claim (the
 * loop, completions that claim their replacements, and the local queue's top-up).
 *
 * Once a claim comes back short, no due job was left (`drained`): completions and top-ups stop claiming
 * until a notification or the loop's next claim (after its poll interval) finds work again. Without
 * this, every completion at the tail of the queue would look again; behind a large backlog of future
 * jobs each such look reads the whole claim index (nothing in it bounds `scheduled_for` when the index
 * leads with priority).
 */
export class DueWork {
  /** The last claim found fewer jobs than it asked for. */
  drained = false
  /**
   * A job was announced (NOTIFY) since the loop's last claim began: a claim that starts after it sees
   * the new job, so the loop clears it just before each claim and checks it after.
   */
  announced = false

  /** A job was enqueued, or listening (re)started and whatever was enqueued meanwhile is due. */
  announce(): void {
    this.announced = true
    this.drained = false
  }
}
