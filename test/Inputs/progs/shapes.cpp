#include "shapes.h"

namespace {
struct Square final : Shape {
  explicit Square(double S) : S(S) {}
  double area() const override { return S * S; }
  double S;
};
struct Circle final : Shape {
  explicit Circle(double R) : R(R) {}
  double area() const override { return 3.14159 * R * R; }
  double R;
};
} // namespace

std::unique_ptr<Shape> makeShape(int Kind, double Size) {
  if (Kind == 0)
    return std::make_unique<Square>(Size);
  return std::make_unique<Circle>(Size);
}
