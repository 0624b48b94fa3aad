// Serialises lifecycle operations per sandbox inside this process: two creates, or a create and a
// destroy, of the same sandbox must not interleave their mounts and runtime calls. Execs do not
// take it (they would queue behind a long create for no reason; runc answers them itself).
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    // Forget the key once nothing is queued behind this call, so the map does not grow forever.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
