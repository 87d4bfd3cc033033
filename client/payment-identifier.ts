/**
 * The x402 `payment-identifier` extension (DESIGN section 5): the client names each logical
 * request with an id the server uses for idempotency. The same id with the same request returns
 * the stored response without a second charge; the same id with another request is a 409.
 * Web APIs only (crypto.getRandomValues, btoa).
 */

/** The extension's key, in the 402's `extensions` and in the PaymentPayload's. */
export const PAYMENT_IDENTIFIER_EXTENSION_KEY = 'payment-identifier';

/** The extension's schema: 16 to 128 characters of `[A-Za-z0-9_-]`. */
const PAYMENT_IDENTIFIER = /^[A-Za-z0-9_-]{16,128}$/;

export function isValidPaymentIdentifier(id: string): boolean {
  return PAYMENT_IDENTIFIER.test(id);
}

/** `pid_` and 32 base64url characters (24 random bytes, 192 bits). */
export function newPaymentIdentifier(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const base64 = btoa(String.fromCharCode(...bytes));
  return `pid_${base64.replace(/\+/g, '-').replace(/\//g, '_')}`;
}

/** The PaymentPayload `extensions` entry carrying `id`. */
export function paymentIdentifierExtension(id: string): Record<string, unknown> {
  return { [PAYMENT_IDENTIFIER_EXTENSION_KEY]: { info: { id } } };
}
