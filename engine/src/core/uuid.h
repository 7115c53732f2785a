// uuid: random (version 4) UUIDs for event meta and audit records. Uses a per-thread xoshiro256**
// generator seeded from std::random_device: fast enough for one per event, not for cryptography.
#pragma once

#include <string>

namespace rb {

std::string uuid4();

// The same 36 characters written to `out`, with no allocation.
void uuid4_into(char* out);

}  // namespace rb
