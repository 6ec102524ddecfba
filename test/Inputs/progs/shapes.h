#pragma once
#include <memory>
#include <vector>
struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
};
std::unique_ptr<Shape> makeShape(int Kind, double Size);
template <typename T> double totalArea(const std::vector<T> &V) {
  double A = 0;
  for (const auto &S : V)
    A += S->area();
  return A;
}
