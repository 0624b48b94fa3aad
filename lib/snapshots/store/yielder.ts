// Many small file operations are done with the synchronous fs calls: through libuv's thread pool
// each costs ~30 µs more than the syscall, which made 10,000 files 8× slower. To keep the event loop
// responsive, loops call the yielder, which gives way (setImmediate) once `budgetMs` has passed.
export function makeYielder(budgetMs = 8): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
