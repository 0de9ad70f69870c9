//===- BlockList.h - fixed-capacity block lists (no MLIR) -------*- C++ -*-===//
#ifndef KILN_UTILS_BLOCKLIST_H
#define KILN_UTILS_BLOCKLIST_H
namespace kiln::blocklist {}
#endif
