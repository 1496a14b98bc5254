/** Why one inventory call gave no price; `result` is the metric label. */
export class InventoryCallError extends Error {
  constructor(
    readonly result: 'timeout' | 'refused' | 'server_error' | 'bad_response' | 'error',
    message: string,
  ) {
    super(message);
    this.name = 'InventoryCallError';
  }

  /** Only a refused connection or a 5xx is worth one more try; never a timeout. */
  get retryable(): boolean {
    return this.result === 'refused' || this.result === 'server_error';
  }
}
