// banner: ansible-rulebook's terminal banner, so output looks the same to people and scripts:
//   ** 2024-05-01 12:34:56.123456 [debug] ****************************************
//   <content>
//   ********************************************************************************
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace rb::actions {

void print_banner(std::FILE* out, std::string_view title, std::string_view content);

}  // namespace rb::actions
