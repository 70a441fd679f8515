// The few Plotly.js calls we use (the basic dist ships no types).
declare module 'plotly.js-basic-dist-min' {
  const Plotly: {
    react(node: HTMLElement, data: object[], layout: object, config?: object): Promise<unknown>;
    purge(node: HTMLElement): void;
    Plots: { resize(node: HTMLElement): void };
  };
  export default Plotly;
}
