/**
 * The bounded hand-off between receivers and sinks. Every batch goes to every stage (one per
 * sink); a stage refuses datagrams when its memory queue (`--queue-size`) or its disk spool
 * (`--spool-max`) is at its cap, and may ask stream readers to pause earlier (see Stage).
 * Policy: stream readers pause until every stage takes records again, refused datagrams are
 * dropped and counted under the refusal's reason.
 */
import type { PreparedBatch } from './prepared-batch.js';
import type { Refusal, Stage } from './stage.js';

export class Pipeline {
  readonly #stages: Stage[];
  readonly #resumeListeners = new Set<() => void>();
  #paused = false;

  constructor(stages: Stage[]) {
    this.#stages = stages;
  }

  get depth(): number {
    let depth = 0;
    for (const stage of this.#stages) depth = Math.max(depth, stage.depth);
    return depth;
  }

  /** Why the pipeline takes no more datagrams now, `arriving` on their way, or null. */
  refusal(arriving = 0): Refusal | null {
    for (const stage of this.#stages) {
      const refusal = stage.refusal('datagram', arriving);
      if (refusal !== null) return refusal;
    }
    return null;
  }

  /** True while stream readers must pause (some stage is behind). */
  get full(): boolean {
    return this.#stages.some((stage) => stage.refusal('stream') !== null);
  }

  /** Queues a batch in every stage; readers that can pause check `full` afterwards. */
  accept(batch: PreparedBatch): void {
    for (const stage of this.#stages) stage.enqueue(batch);
    if (!this.#paused && this.full) this.#paused = true;
  }

  /**
   * A reader paused for a full pipeline without queueing a record (its read waits): stages
   * taking records again must wake it, as they wake readers paused by `accept`.
   */
  readerHeld(): void {
    this.#paused = true;
  }

  /** Registers a reader to call when a full pipeline takes records again. */
  onResume(listener: () => void): () => void {
    this.#resumeListeners.add(listener);
    return () => this.#resumeListeners.delete(listener);
  }

  /** Stages call this whenever they made room. */
  delivered(): void {
    if (!this.#paused) return;
    if (this.#stages.some((stage) => stage.refusal('resume') !== null)) return;
    this.#paused = false;
    for (const listener of [...this.#resumeListeners]) listener();
  }
}
