// uuid: random (version 4) UUIDs for event meta and audit records. Uses a per-thread xoshiro256**
// generator seeded from std::random_device: fast enough for one per event, not for cryptography.
#pragma once

#include <string>

namespace rb {

std::string uuid4();

}  // namespace rb
