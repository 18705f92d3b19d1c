// Error codes returned (as negative i32) by core ops. Each domain owns a range and keeps
// its own codes in its folder; the shared ones live here.
//   util -1..-9, hash -10..-19, kdf -20..-29, bn -30..-39, rsa -40..-59,
//   ec -60..-79, cipher -80..-89, der -90..-109
export const E_INVALID: i32 = -1; // an argument is out of range
export const E_BUFFER: i32 = -2; // the output slot is too small
export const E_UNSUPPORTED: i32 = -3; // algorithm / parameter not supported
