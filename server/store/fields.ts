/** Field paths reach query languages (SQL expressions, Mongo keys): only plain identifiers pass. */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export class InvalidFieldError extends Error {
  constructor(readonly field: string) {
    super(`invalid field path: ${JSON.stringify(field)}`);
    this.name = 'InvalidFieldError';
  }
}

export function assertFieldPath(field: string): string {
  if (!FIELD_PATH.test(field)) throw new InvalidFieldError(field);
  return field;
}

/** Collection names become table names. */
export function assertCollectionName(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new InvalidFieldError(name);
  return name;
}
