// The usual visitor helper for std::visit over a variant: Overloaded{[](A&){}, [](B&){}}.
#pragma once

namespace perouter {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace perouter
