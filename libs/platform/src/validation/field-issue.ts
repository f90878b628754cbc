/** One problem with a field of some input, named by its path. */
export interface FieldIssue {
  /** Path in the input, e.g. `resources[1].port.entity.mappings.identifier`. */
  readonly field: string;
  readonly message: string;
}
