// uuid: random (version 4) UUIDs for event meta and audit records. Uses a per-thread xoshiro256**
// generator seeded from std::random_device: fast enough for one per event, not for cryptography.
#pragma once

#include <cstdint>
#include <string>

namespace rb {

std::string uuid4();

// The same 36 characters written to `out`, with no allocation.
void uuid4_into(char* out);

// A version 4 UUID drawn once per `sequence` number: the same number gives the same UUID within
// this process, different numbers give different ones (a keyed bijection of the number, the key
// drawn at start-up). Lets an event's uuid be written later, identically, wherever it is shown.
void uuid4_for(std::uint64_t sequence, char* out);

}  // namespace rb
