//===- InitKiln.h - register everything kiln provides -----------*- C++ -*-===//
#ifndef KILN_INITKILN_H
#define KILN_INITKILN_H

namespace mlir {
class DialectRegistry;
namespace kiln {
/// Adds the kiln dialect and the upstream dialects its passes create.
void registerKilnDialects(DialectRegistry &registry);
/// Registers every kiln pass (and, later, pipeline) with the global registry.
void registerKilnPasses();
} // namespace kiln
} // namespace mlir

#endif // KILN_INITKILN_H
