// Error codes of the hash domain (range -10..-19, see util/errors.ts).

/** The algorithm id is not one of the HASH_* ids (assembly/README.md, "Hash ids"). */
export const E_HASH_ALG: i32 = -10;
/** hash_update / hash_final without a preceding hash_init for that algorithm. */
export const E_HASH_STATE: i32 = -11;
