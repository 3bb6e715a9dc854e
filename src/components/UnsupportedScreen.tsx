export function UnsupportedScreen({ message }: { message: string }) {
  return (
    <main className="unsupported" role="alert">
      <h1>This browser cannot run Kandinsky Web</h1>
      <p>{message}</p>
      <p>
        The app needs WebGPU or WebAssembly with SIMD. Current Chrome, Edge and Firefox have both; Safari has them from
        version 18.
      </p>
    </main>
  );
}
