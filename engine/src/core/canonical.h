// canonical: one text per value under the condition language's equality, for hashing facts:
// object keys sorted (events keep insertion order), integral floats written as integers (3 and
// 3.0 are one value, "3" another). With `skip_meta`, the top-level `meta` is left out (two facts
// equal but for meta are one fact). Written straight into a string, no intermediate tree.
#pragma once

#include <string>

#include "core/value.h"

namespace rb {

std::string canonical_key(const value& v, bool skip_meta = true);

}  // namespace rb
